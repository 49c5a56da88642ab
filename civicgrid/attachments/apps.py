from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "civicgrid.attachments"
    label = "attachments"
    verbose_name = "案件附件"
