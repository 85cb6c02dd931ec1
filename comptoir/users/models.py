"""Users, owners, teams and API tokens (OBJ-6, API-2)."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from comptoir.core.secrets import SecretField
from comptoir.users.roles import BUILTIN_LABELS


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        # Users are created through comptoir.users.services.create_user, which also
        # makes the owner; this manager method exists for Django's own tooling.
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Role(models.Model):
    """What a user may see and change (SET-5): per object a view and an edit scope, plus
    rights. Scopes: "all", "team" (records owned by teammates), "owned" (their own)."""

    name = models.CharField(max_length=100, unique=True)
    builtin = models.BooleanField(default=False)
    # {"contacts": {"view": "all", "edit": "owned"}, "companies": ..., "deals": ...,
    #  "activities": ...}
    scopes = models.JSONField(default=dict)
    can_import = models.BooleanField(default=False)
    can_export = models.BooleanField(default=False)
    can_bulk_delete = models.BooleanField(default=False)
    can_manage_settings = models.BooleanField(default=False)
    can_use_api = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name shown: a built-in role's in the reader's language."""
        return str(BUILTIN_LABELS.get(self.name, self.name)) if self.builtin else self.name


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    # Profile (SET-11): shown to teammates and used when writing to contacts.
    job_title = models.CharField(max_length=150, blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    email_signature = models.TextField(blank=True, default="")
    # The seed's profile fields (shown to contacts in HubSpot's Sales extension).
    bio = models.TextField(blank=True, default="")
    company = models.CharField(max_length=150, blank=True, default="")
    education = models.CharField(max_length=250, blank=True, default="")
    twitter_username = models.CharField(max_length=50, blank=True, default="")
    # An IANA name; "" is the account's (Settings > Account). Sequences' send windows use
    # it for contacts whose own zone is unknown.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    # The booking page contacts are sent to (`{{ sender.meetinglink }}` in templates).
    meeting_link = models.CharField(max_length=500, blank=True, default="")
    photo = models.FileField(upload_to="photos/", blank=True, default="")
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class PendingHandOver(models.Model):
    """A deactivated user's records still being handed over in the worker
    (deactivation.deactivate with `later`): deleted when all have moved. `updated_at` is the
    run's heartbeat; one silent for HAND_OVER_STALL lost its worker and is queued again
    (tasks.resume_hand_overs).
    Handing over again is harmless: what has moved is no longer the user's."""

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="pending_hand_over"
    )
    heir = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    actor_id = models.BigIntegerField(null=True, blank=True)  # who deactivated, for history
    updated_at = models.DateTimeField(default=timezone.now)


class Owner(models.Model):
    """What `hubspot_owner_id` points at. Every user is one; ids are their own, not user ids."""

    class Type(models.TextChoices):
        PERSON = "PERSON"
        QUEUE = "QUEUE"

    user = models.OneToOneField(User, null=True, on_delete=models.SET_NULL, related_name="owner")
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.PERSON)
    email = models.EmailField(blank=True, default="")
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class Team(models.Model):
    name = models.CharField(max_length=150, unique=True)
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    primary = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member")]


class ApiToken(models.Model):
    """A private-app token: acts as `user`, limited to `scopes`. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=150)
    prefix = models.CharField(max_length=24)  # shown in lists to tell tokens apart
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ThrottleCounter(models.Model):
    """Failed sign-ins or reset requests for one key (an account or a client address) since
    its window opened: in the database, so that every server process counts together.
    See comptoir.users.throttle."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_ends:%Y-%m-%d %H:%M}"


class TwoFactorDevice(models.Model):
    """A user's authenticator app (TOTP, comptoir/users/two_factor.py). Unconfirmed until
    the user types a first code; `last_step` refuses a code seen before (no replay)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = SecretField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    recovery_codes = models.JSONField(default=list)  # sha256 hashes of the unused ones
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"two-factor device of {self.user.email}"
