from django.urls import path

from marketplace.compliance.views import trade_report_page

app_name = "compliance"
urlpatterns = [path("", trade_report_page, name="trade_report")]
