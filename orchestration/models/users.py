from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "ADMINISTRATOR", _("Administrador")
    APPROVER = "APPROVER", _("Aprovador")
    OPERATOR = "OPERATOR", _("Operador")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError(_("O e-mail é obrigatório."))
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("role", Role.ADMINISTRATOR)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        user = self.lookup_for_login(username or "")
        if user is None:
            raise self.model.DoesNotExist
        return user

    def lookup_for_login(self, username: str) -> "User | None":
        """The account a login with `username` reaches: the exact address first, then the database's
        case-insensitive match (which may fold look-alike letters; older rows may hold several)."""
        exact = self.filter(email=username).first()
        return exact or self.filter(email__iexact=username).order_by("pk").first()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail. `role` decides the group, and so the permissions."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("nome"), max_length=150)
    phone = models.CharField(_("telefone"), max_length=30, blank=True)
    role = models.CharField(_("perfil"), max_length=20, choices=Role.choices, default=Role.OPERATOR)
    is_active = models.BooleanField(_("ativo"), default=True)
    is_staff = models.BooleanField(_("acesso ao admin"), default=True)
    date_joined = models.DateTimeField(_("cadastrado em"), default=timezone.now)
    # The tenant: apps holding a company's data (appointments, WhatsApp sessions) show a user only theirs.
    company = models.ForeignKey(
        "orchestration.Company",
        verbose_name=_("empresa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("usuário")
        verbose_name_plural = _("usuários")
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        # ADMINISTRATOR means everything, including permissions of models added later.
        self.is_superuser = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.is_superuser or self.role in roles)
