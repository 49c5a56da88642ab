app_name = "emergency-api"

urlpatterns = []
