from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition


class Paper(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = FSMField(default="draft", protected=True)
    stages_seen = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/papers/{self.pk}/"

    @transition(
        field=state,
        source=["draft", "returned", "withdrawn"],
        target="approval",
        permission=lambda paper, user: paper.author_id == user.pk,
    )
    def submit(self) -> None:
        pass

    @transition(field=state, source="approval", target="returned")
    def return_for_revision(self) -> None:
        pass

    @transition(field=state, source="approval", target="approved")
    def approve(self) -> None:
        pass

    @transition(field=state, source="approval", target="rejected")
    def reject(self) -> None:
        pass

    @transition(field=state, source=["approval", "returned"], target="withdrawn")
    def withdraw(self) -> None:
        pass
