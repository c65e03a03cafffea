"""A minimal document type that exists only in the test settings: it proves the route engine
serves a document it knows nothing about, and lets the engine's tests build any route."""
