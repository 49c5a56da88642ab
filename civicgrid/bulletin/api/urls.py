app_name = "bulletin-api"

urlpatterns = []
