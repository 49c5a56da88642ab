from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = "事件闭环"

    def ready(self):
        from civicgrid.cases import notifications, tasks

        # Messages go to the worker through the task queue (tasks imports notifications, not
        # the other way round).
        notifications.use_queue(tasks.enqueue_notifications)
