"""The shared route engine: document types register a builder's plan and their hooks; the engine
runs rounds, stages and steps, tasks and deadlines, and calls the hooks as the route moves."""
