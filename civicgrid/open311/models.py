"""Open311 GeoReport v2 clients and what they sent beyond the case itself."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


def hash_key(raw: str) -> str:
    # Keys are 256-bit random strings, so a plain SHA-256 is enough to make a leaked table useless
    # (no dictionary to try), and lets us look a key up by its hash.
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(12)


class ApiClient(models.Model):
    """A system allowed to POST service requests (随申办 app, a district platform …).

    The key is shown once when the client is created (or its key renewed) and only its SHA-256 is
    stored. Cases are reported as `user` (an account whose role may use the Open311 channel),
    or, without one, as the system itself; each case's Open311Request names the client.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    source_label = models.CharField(
        _("来源标签"), max_length=50, blank=True, help_text=_("例如：随申办、区城运平台")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="open311_clients",
        help_text=_("以此账号上报案件；留空则以系统身份上报"),
    )
    key_prefix = models.CharField(_("密钥前缀"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 接入方")
        verbose_name_plural = _("Open311 接入方")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from civicgrid.open311.adapter import may_report_as

        if self.user_id and not may_report_as(self.user):
            raise ValidationError({"user": _("该账号的角色不能以 Open311 渠道上报")})

    def set_new_key(self) -> str:
        """Give the client a fresh key; returns it in clear (the only time it exists so)."""
        raw = secrets.token_urlsafe(32)
        self.key_prefix = raw[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_key(raw)
        return raw

    def matches(self, raw: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_key(raw))

    @classmethod
    def authenticate(cls, raw) -> "ApiClient | None":
        """The active client owning key `raw`, else None."""
        if not raw or not isinstance(raw, str) or len(raw) > 200:
            return None
        client = cls.objects.filter(key_hash=hash_key(raw), is_active=True).first()
        if client is None or not client.matches(raw):
            return None
        return client


class Open311Request(models.Model):
    """What an Open311 POST carried besides the case: the client, the token, media and attributes.

    The e-mail and device id are personal data: kept for feedback, never in a public response.
    """

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        related_name="open311_request",
    )
    client = models.ForeignKey(
        ApiClient, verbose_name=_("接入方"), on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField(_("令牌"), max_length=32, unique=True, default=new_token)
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    attributes = models.JSONField(_("扩展属性"), default=dict, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    device_id = models.CharField(_("设备号"), max_length=100, blank=True)
    address_id = models.CharField(_("地址编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 请求")
        verbose_name_plural = _("Open311 请求")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.client} → {self.case_id}"
