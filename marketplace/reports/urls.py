from django.urls import path

from marketplace.reports.views import trade_report_page

app_name = "compliance"
urlpatterns = [path("", trade_report_page, name="trade_report")]
