"""Back office for Open311 clients: create one, read its key once, renew or switch it off.

Only the key's SHA-256 is stored, so the clear key is shown exactly once, as a message after the
client is saved for the first time or after "renew key". Requests are read-only (they are written
only by POST requests.json).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import OPEN311_CLIENT_ROLES
from civicgrid.open311.models import ApiClient, Open311Request


def _show_key(request, client, raw):
    messages.warning(
        request,
        _("“%(name)s”的 api_key 为 %(key)s ，只显示这一次，请立即交给接入方妥善保存。")
        % {"name": client.name, "key": raw},
    )


@admin.register(ApiClient)
class ApiClientAdmin(RoleGatedAdmin):
    # Clients with requests are protected on delete; switch them off with 启用 instead.
    view_roles = OPEN311_CLIENT_ROLES
    change_roles = OPEN311_CLIENT_ROLES
    list_display = ["name", "source_label", "user", "key_prefix", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "source_label"]
    list_select_related = ["user"]
    fields = ["name", "source_label", "user", "is_active", "key_prefix", "created_at"]
    readonly_fields = ["key_prefix", "created_at"]
    raw_id_fields = ["user"]
    actions = ["renew_keys"]

    def save_model(self, request, obj, form, change):
        raw = None if change else obj.set_new_key()
        super().save_model(request, obj, form, change)
        if raw:
            _show_key(request, obj, raw)

    @admin.action(description=_("重新生成 api_key（旧密钥立即失效）"))
    def renew_keys(self, request, queryset):
        for client in queryset:
            raw = client.set_new_key()
            client.save(update_fields=["key_prefix", "key_hash"])
            _show_key(request, client, raw)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("已为%(n)d个接入方重新生成密钥", "已为%(n)d个接入方重新生成密钥", count)
            % {"n": count},
        )


@admin.register(Open311Request)
class Open311RequestAdmin(RoleGatedAdmin):
    # Read-only: requests are written only by POST requests.json.
    view_roles = OPEN311_CLIENT_ROLES
    list_display = ["case", "client", "created_at", "media_url"]
    list_filter = ["client"]
    # Never the token (it opens tokens/<token>.json): a partial search would tell it bit by bit.
    search_fields = ["case__number"]
    list_select_related = ["case", "case__category", "client"]
    fields = [
        "case",
        "client",
        "masked_token",
        "media_url",
        "attributes",
        "address_id",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("令牌"))
    def masked_token(self, obj):
        token = obj.token or ""
        return f"{token[:4]}…" if len(token) > 4 else "…"
