from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "civicgrid.accounts"
    label = "accounts"
    verbose_name = "用户与部门"
