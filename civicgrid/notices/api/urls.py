app_name = "notices-api"

urlpatterns = []
