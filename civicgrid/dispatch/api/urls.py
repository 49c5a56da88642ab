app_name = "dispatch-api"

urlpatterns = []
