app_name = "proactive"

urlpatterns = []
