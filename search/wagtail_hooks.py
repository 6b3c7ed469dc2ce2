"""Search's part in Wagtail's pages: the job index page's board is the job search."""

from wagtail import hooks

from cms.models import JOB_BOARD_HOOK
from search.views import job_search_page

hooks.register(JOB_BOARD_HOOK, job_search_page)
