"""Writes to the organisation: one service per meaningful write."""

import re
import secrets
import unicodedata
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from .models import Department, DepartmentContact, Notification, PolicySettings, Role, User
from .selectors import account_choices, can_manage_accounts, managed_user_list, outranks
from .signals import policy_changed


def policy_settings_save(*, actor: User, year: int, values: dict[str, Any]) -> PolicySettings:
    """Create or change a year's thresholds; only the county bureau may (三(六): thresholds are data)."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以修改政策参数")
    with transaction.atomic():
        policy = PolicySettings.objects.select_for_update().filter(
            year=year
        ).first() or PolicySettings(year=year)
        for name, value in values.items():
            setattr(policy, name, value)
        _check_amounts_positive(policy)
        save_with_actor(policy, actor=actor)
        # Inside the transaction: the derived flags change with the numbers or not at all.
        policy_changed.send(sender=PolicySettings, year=year)
    return policy


# A line of zero or less would leave no household below it and empty 三(五)3 and 三(六).
POSITIVE_AMOUNTS = {
    "income_line": "监测收入线必须大于0元",
    "minimum_living_standard": "农村低保标准必须大于0元",
}


def _check_amounts_positive(policy: PolicySettings) -> None:
    errors = {
        name: message
        for name, message in POSITIVE_AMOUNTS.items()
        if getattr(policy, name) is not None and getattr(policy, name) <= 0
    }
    if errors:
        raise ValidationError(errors)


MSG_CONTACTS_COUNTY_ONLY = "只有县扶贫局可以维护部门通讯录"


def department_contact_save(
    *,
    actor: User,
    department: Department,
    values: dict[str, Any],
    contact: DepartmentContact | None = None,
) -> DepartmentContact:
    """Add a department's contact person or change one; the county bureau keeps the directory."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_CONTACTS_COUNTY_ONLY)
    with transaction.atomic():
        if contact is None:
            contact = DepartmentContact(department=department)
        else:
            contact = DepartmentContact.objects.select_for_update().get(pk=contact.pk)
            contact.department = department
        for name, value in values.items():
            setattr(contact, name, value.strip() if isinstance(value, str) else value)
        save_with_actor(contact, actor=actor)
    return contact


def department_contact_delete(*, actor: User, contact: DepartmentContact) -> None:
    """Take a person off the directory; the history keeps who they were and who removed them."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_CONTACTS_COUNTY_ONLY)
    contact._history_user = actor
    contact.delete()


def notify(*, recipients: list[User], message: str, url: str = "") -> int:
    """Leave an in-app message for each recipient; returns how many were written."""
    rows = [Notification(recipient=user, message=message, url=url) for user in recipients]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notify_on_commit(*, recipients: Q, message: str, url: str = "") -> None:
    """Notify the active users matching ``recipients`` once the transaction commits, so a
    refused or rolled-back step tells nobody."""

    def send() -> None:
        users = list(User.objects.filter(recipients, is_active=True))
        if users:
            notify(recipients=users, message=message, url=url)

    transaction.on_commit(send)


def area_role_q(role: str, *, village_id: int, town_id: int) -> Q:
    """The users of ``role`` whose area holds the village: its monitors, its town's officials,
    or, for a county-wide role, all of that role (二: each level works its own area)."""
    match role:
        case Role.VILLAGE_MONITOR:
            return Q(role=role, village_id=village_id)
        case Role.TOWN_OFFICIAL:
            return Q(role=role, town_id=town_id)
    return Q(role=role)


def local_officials_q(village_id: int, town_id: int) -> Q:
    """The village's monitor and the town's officials: who hears of a household's news."""
    return area_role_q(Role.VILLAGE_MONITOR, village_id=village_id, town_id=town_id) | area_role_q(
        Role.TOWN_OFFICIAL, village_id=village_id, town_id=town_id
    )


def notification_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- accounts (二: each level keeps its own people; 三(三), 三(八)1: helpers) -------------------
#
# Who manages whose account is ``selectors.managed_user_list``; what an editor may assign is
# ``selectors.account_choices``. Accounts are never deleted: their history, the cases they
# worked on and their pairings keep naming them, so an account that is no longer used is
# deactivated.

MSG_NO_ACCOUNT_RIGHT = "您没有管理该账号的权限"
MSG_ROLE_OUT_OF_SCOPE = "镇（园区）只能设置本镇的村防贫监测员和帮扶责任人账号（二、三(三)）"
MSG_TOWN_OUT_OF_SCOPE = "只能选择本镇（园区）"
MSG_VILLAGE_OUT_OF_SCOPE = "只能选择本镇（园区）的村"
MSG_DEPARTMENT_OUT_OF_SCOPE = "只有县扶贫局可以设置县直部门人员账号"
MSG_HELP_UNIT_OUT_OF_SCOPE = "请选择系统中的帮扶单位"
MSG_VILLAGE_NOT_IN_TOWN = "所选村不属于所选镇（园区）"
MSG_OWN_SCOPE = "不能修改本人的角色和工作范围，如需调整请联系县扶贫局"
MSG_OWN_ACTIVE = "不能停用或启用本人的账号"
MSG_OWN_RESET = "本人的密码请在“修改密码”中修改，不能重置"
MSG_PRIVILEGED = "该账号是系统管理员账号，只有具有同等权限的管理员可以修改"
MSG_OUT_OF_MANAGED = "保存后该账号将不在您的管理范围内，未保存"
MSG_ALREADY_INACTIVE = "该账号已停用"
MSG_ALREADY_ACTIVE = "该账号正在使用，无需启用"
MSG_USERNAME_REQUIRED = "请填写用户名"
MSG_USERNAME_TAKEN = "用户名“{}”已被使用，请换一个"
MSG_LAST_NAME = "请填写姓"
MSG_FIRST_NAME = "请填写名"
MSG_NAME_CHARS = "姓名只能包含汉字、字母和间隔号“·”"
MSG_PHONE = "请填写11位手机号（如 13800000000）或带区号的固定电话（如 0561-1234567）"
MSG_HELPER_PHONE = "帮扶责任人须填写联系电话（三(八)1）"
MSG_HELPER_UNIT = "帮扶责任人须选择帮扶单位；镇村干部任帮扶联系人的，选择所在镇（园区）（三(八)1）"
MSG_REASON_LONG = "停用原因不能超过80个字"
MSG_SAME_PASSWORD = "新密码不能与原密码相同"

# What the account pages and API may set; is_active and the password have their own services,
# and staff or superuser rights stay with the admin.
SCOPE_FIELDS = ("town", "village", "department", "help_unit")
ACCOUNT_FIELDS = ("username", "last_name", "first_name", "email", "phone", "role", *SCOPE_FIELDS)
# The scope each role carries (二); the others are cleared, so a role change leaves nothing
# behind. A helper may be a town- or village-level 帮扶联系人 (三(八)1): town and village are
# optional, and say only where they belong; what they see still comes from their pairings.
ROLE_SCOPE = {
    Role.VILLAGE_MONITOR: ("village", "town"),
    Role.TOWN_OFFICIAL: ("town",),
    Role.COUNTY_BUREAU: (),
    Role.DEPARTMENT_STAFF: ("department",),
    Role.HELPER: ("town", "village", "help_unit"),
}
REASON_MAX = 80
CONTACT_FIELDS = ("username", "last_name", "first_name", "phone")

# A mobile number, or a landline with its area code (and an extension).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
# Han characters (with the rare ones of the extension planes), Latin letters and the
# middle dot of names such as 买买提·艾力.
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z·]+$")
_NAME_DOTS = str.maketrans(dict.fromkeys("•・‧.．∙⋅", "·"))

# Read aloud and typed from paper: no 0/O/o, 1/l/I/i.
OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 10


def one_time_password() -> str:
    """Ten characters from ``secrets``, with a capital, a small letter and a digit."""
    while True:
        password = "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))
        if (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def user_create(*, actor: User, password: str | None = None, **fields: Any) -> tuple[User, str]:
    """A new account in the editor's scope, with a one-time password (returned once, stored
    only hashed) that the person must replace at their first sign-in. The admin's form lets a
    superuser type that password (``password``); it is checked like any other."""
    if not can_manage_accounts(actor):
        raise PermissionDenied(MSG_NO_ACCOUNT_RIGHT)
    user = User()
    with transaction.atomic():
        _assign_account(user, fields)
        _check_account(actor, user, {})
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from None
        else:
            password = one_time_password()
        user.set_password(password)
        user.must_change_password = True
        save_with_actor(user, actor=actor, reason="新建账号")
        _require_still_managed(actor, user)
    return user, password


def user_update(*, actor: User, user: User, **fields: Any) -> User:
    """Names, contact, role and scope. Nobody changes their own role or scope."""
    with transaction.atomic():
        user = _lock_managed(actor, user)
        before = {name: getattr(user, name) for name in CONTACT_FIELDS}
        if user.pk == actor.pk:
            _refuse_own_scope_change(user, fields)
            _assign_account(user, fields)
            _check_contact(user, before)
        else:
            _assign_account(user, fields)
            _check_account(actor, user, before)
        save_with_actor(user, actor=actor, reason="修改账号")
        _require_still_managed(actor, user)
    return user


def user_deactivate(*, actor: User, user: User, reason: str = "") -> User:
    """The account can no longer sign in (pages or API); nothing else ends with it now."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": MSG_REASON_LONG})
    with transaction.atomic():
        user = _lock_managed(actor, user)
        if user.pk == actor.pk:
            raise ApplicationError(MSG_OWN_ACTIVE)
        if not user.is_active:
            raise ConflictError(MSG_ALREADY_INACTIVE)
        user.is_active = False
        save_with_actor(user, actor=actor, reason=f"停用账号：{reason}" if reason else "停用账号")
    return user


def user_reactivate(*, actor: User, user: User) -> User:
    with transaction.atomic():
        user = _lock_managed(actor, user)
        if user.pk == actor.pk:
            raise ApplicationError(MSG_OWN_ACTIVE)
        if user.is_active:
            raise ConflictError(MSG_ALREADY_ACTIVE)
        user.is_active = True
        save_with_actor(user, actor=actor, reason="启用账号")
    return user


MSG_ADMIN_RIGHTS_SUPERUSER = "只有系统管理员（超级用户）可以授予或收回管理后台权限"
MSG_OWN_ADMIN_RIGHTS = "不能修改本人的管理后台权限"


def user_set_admin_rights(
    *, actor: User, user: User, is_staff: bool | None = None, is_superuser: bool | None = None
) -> User:
    """Admin rights (管理后台、超级用户) are given and taken by a superuser only, never to
    oneself; role and scope stay with ``user_update``."""
    if not actor.is_superuser:
        raise PermissionDenied(MSG_ADMIN_RIGHTS_SUPERUSER)
    with transaction.atomic():
        user = _lock_managed(actor, user)
        if user.pk == actor.pk:
            raise ApplicationError(MSG_OWN_ADMIN_RIGHTS)
        if is_staff is not None:
            user.is_staff = is_staff
        if is_superuser is not None:
            user.is_superuser = is_superuser
        save_with_actor(user, actor=actor, reason="修改管理后台权限")
    return user


def user_reset_password(*, actor: User, user: User) -> str:
    """A new one-time password, returned once; the old password, the signed-in sessions and
    the API token stop working, and the person must choose a password at next sign-in."""
    with transaction.atomic():
        user = _lock_managed(actor, user)
        if user.pk == actor.pk:
            raise ApplicationError(MSG_OWN_RESET)
        password = one_time_password()
        user.set_password(password)
        user.must_change_password = True
        # Saving the new password ends the account's API tokens (User.save).
        save_with_actor(user, actor=actor, reason="重置密码")
    return password


def user_change_own_password(*, actor: User, password: str) -> User:
    """The signed-in person sets their own password; a one-time password is then spent."""
    if not actor.is_authenticated:
        raise PermissionDenied(MSG_NO_ACCOUNT_RIGHT)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.check_password(password):
            raise ValidationError({"password": MSG_SAME_PASSWORD})
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
        user.must_change_password = False
        save_with_actor(user, actor=actor, reason="本人修改密码")
    # The caller keeps the session with the new hash (update_session_auth_hash).
    actor.password, actor.must_change_password = user.password, False
    return user


def _lock_managed(actor: User, user: User) -> User:
    """The account, locked, when ``actor`` manages it; else refused like any other scope's
    object (the pages and API found it through ``managed_user_list`` first, so answer 404)."""
    if not can_manage_accounts(actor):
        raise PermissionDenied(MSG_NO_ACCOUNT_RIGHT)
    # No joins: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or not managed_user_list(user=actor).filter(pk=user.pk).exists():
        raise PermissionDenied(MSG_NO_ACCOUNT_RIGHT)
    if outranks(locked, actor):
        raise PermissionDenied(MSG_PRIVILEGED)
    return locked


def _require_still_managed(actor: User, user: User) -> None:
    # The rules above keep every saved account in the editor's scope; this is the backstop,
    # read from the one rule of whose accounts a user manages.
    if not managed_user_list(user=actor).filter(pk=user.pk).exists():
        raise ApplicationError(MSG_OUT_OF_MANAGED)


def _assign_account(user: User, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"not account fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)


def _refuse_own_scope_change(user: User, fields: dict[str, Any]) -> None:
    for name in ("role", *SCOPE_FIELDS):
        if name not in fields:
            continue
        value = fields[name]
        new = value if name == "role" else getattr(value, "pk", value)
        old = user.role if name == "role" else getattr(user, f"{name}_id")
        if new != old:
            raise ApplicationError(MSG_OWN_SCOPE, field=name)


def _check_account(actor: User, user: User, before: dict[str, Any]) -> None:
    """Names, contact, and a role and scope within what ``actor`` may assign (二)."""
    errors: dict[str, list[str]] = {}
    try:
        _check_contact(user, before)
    except ValidationError as error:
        errors.update(error.message_dict)
    choices = account_choices(user=actor)
    if user.role not in choices.roles:
        errors.setdefault("role", []).append(
            MSG_ROLE_OUT_OF_SCOPE if user.role in Role.values else "请选择角色"
        )
        raise ValidationError(errors)
    kept = ROLE_SCOPE[user.role]
    for name in SCOPE_FIELDS:
        if name not in kept:
            setattr(user, name, None)
    if "town" in kept and choices.fixed_town_id is not None:
        user.town_id = choices.fixed_town_id
    scope_errors = _check_places(user, choices)
    try:
        user.clean()  # the scope each role needs (models.User.clean)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            scope_errors.setdefault(name, messages[0])
    if user.role == Role.HELPER:
        if not user.phone and "phone" not in errors:
            scope_errors["phone"] = MSG_HELPER_PHONE
        # A unit's cadre names the unit; a town or village cadre (帮扶联系人) their town.
        if user.help_unit_id is None and user.town_id is None:
            scope_errors.setdefault("help_unit", MSG_HELPER_UNIT)
    for name, message in scope_errors.items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


def _check_places(user: User, choices) -> dict[str, str]:
    errors: dict[str, str] = {}
    if user.village_id is not None:
        village = choices.villages.filter(pk=user.village_id).first()
        if village is None:
            errors["village"] = MSG_VILLAGE_OUT_OF_SCOPE
        elif user.role == Role.VILLAGE_MONITOR or user.town_id is None:
            # A village's town follows from it, so town-wide reads and lists find the account.
            user.town_id = village.town_id
        elif user.town_id != village.town_id:
            errors["village"] = MSG_VILLAGE_NOT_IN_TOWN
    if user.town_id is not None and not choices.towns.filter(pk=user.town_id).exists():
        errors["town"] = MSG_TOWN_OUT_OF_SCOPE
    if (
        user.department_id is not None
        and not choices.departments.filter(pk=user.department_id).exists()
    ):
        errors["department"] = MSG_DEPARTMENT_OUT_OF_SCOPE
    if (
        user.help_unit_id is not None
        and not choices.help_units.filter(pk=user.help_unit_id).exists()
    ):
        errors["help_unit"] = MSG_HELP_UNIT_OUT_OF_SCOPE
    return errors


def _check_contact(user: User, before: dict[str, Any]) -> None:
    """Username, the two parts of the name (姓 then 名) and the phone, tidied and checked.

    The form of a name or phone is checked when it is typed: an older account whose name has
    a digit (test data, an import) can still have its role changed without retyping it."""
    errors: dict[str, str] = {}
    user.username = unicodedata.normalize("NFKC", user.username or "").strip()
    if not user.username:
        errors["username"] = MSG_USERNAME_REQUIRED
    elif User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        # Case-blind: "Zhangwei" and "zhangwei" would be two accounts nobody tells apart.
        errors["username"] = MSG_USERNAME_TAKEN.format(user.username)
    for name, missing in (("last_name", MSG_LAST_NAME), ("first_name", MSG_FIRST_NAME)):
        value = unicodedata.normalize("NFKC", getattr(user, name) or "")
        value = "".join(value.split()).translate(_NAME_DOTS)
        setattr(user, name, value)
        if not value:
            errors[name] = missing
        elif value != before.get(name) and not _NAME.match(value):
            errors[name] = MSG_NAME_CHARS
    user.email = (user.email or "").strip()
    phone = normalize_phone(user.phone)
    user.phone = phone
    if phone and phone != before.get("phone") and not (is_mobile(phone) or _LANDLINE.match(phone)):
        errors["phone"] = MSG_PHONE
    if errors:
        raise ValidationError(errors)


def is_mobile(phone: str | None) -> bool:
    """A mainland mobile number, 11 digits starting 13-19 (normalised first: ``normalize_phone``)."""
    return bool(_MOBILE.match(phone or ""))


def normalize_phone(raw: str | None) -> str:
    """Full-width digits and spaces tidied; a mobile number typed in groups (138-0000-0000)
    is kept as its 11 digits."""
    phone = "".join(unicodedata.normalize("NFKC", raw or "").split())
    digits = phone.replace("-", "")
    return digits if is_mobile(digits) else phone
