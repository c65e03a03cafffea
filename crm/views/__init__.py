"""CRM pages. Thin: check the permission, validate a form, call a service, render."""

from crm.views.calendar import (
    calendar_feed,
    calendar_feed_regenerate,
    calendar_view,
    event_delete,
    event_edit,
    event_new,
)
from crm.views.companies import (
    communication_list,
    company_communication,
    company_detail,
    company_edit,
    company_list,
    company_take,
    contact_delete,
    contact_edit,
)
from crm.views.distribution import (
    call_done,
    call_list_detail,
    distribution_run,
    distribution_settings,
    distribution_view,
)
from crm.views.imports import (
    import_back,
    import_confirm,
    import_detail,
    import_errors,
    import_mapping,
    import_sheet,
    import_upload,
)

__all__ = [
    "calendar_feed",
    "calendar_feed_regenerate",
    "calendar_view",
    "call_done",
    "call_list_detail",
    "communication_list",
    "company_communication",
    "company_detail",
    "company_edit",
    "company_list",
    "company_take",
    "contact_delete",
    "contact_edit",
    "distribution_run",
    "distribution_settings",
    "distribution_view",
    "event_delete",
    "event_edit",
    "event_new",
    "import_back",
    "import_confirm",
    "import_detail",
    "import_errors",
    "import_mapping",
    "import_sheet",
    "import_upload",
]
