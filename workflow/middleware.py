"""Per-request scopes of the workflow's reads."""

from workflow.selectors import department_tree_scope


class DepartmentTreeMiddleware:
    """The org tree is read at most once per request (``workflow.selectors._departments_by_id``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with department_tree_scope():
            return self.get_response(request)
