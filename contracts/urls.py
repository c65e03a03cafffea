from django.urls import path

from contracts import views, views_boards

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract-list"),
    path("new/", views.contract_create, name="contract-create"),
    path("kanban/", views_boards.kanban, name="kanban"),
    path("kpi/", views_boards.kpi, name="kpi"),
    path("counterparties/", views.counterparty_options, name="counterparty-options"),
    path("<int:pk>/", views.contract_detail, name="contract-detail"),
    path("<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("<int:pk>/submit/", views.contract_submit, name="contract-submit"),
    path("<int:pk>/withdraw/", views.contract_withdraw, name="contract-withdraw"),
    path("<int:pk>/files/", views.files_add, name="files-add"),
    path("<int:pk>/comment/", views.comment_add, name="comment-add"),
    path("<int:pk>/tasks/<int:task_id>/", views.task_decide, name="task-decide"),
    path("<int:pk>/sheet.pdf", views.approval_sheet_pdf, name="approval-sheet-pdf"),
]
