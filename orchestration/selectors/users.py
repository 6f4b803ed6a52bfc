from orchestration.models import Role, User


def administrators_other_than(user: User) -> int:
    """Active administrators besides `user`: zero means changing `user` would lock everyone out."""
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exclude(pk=user.pk).count()
