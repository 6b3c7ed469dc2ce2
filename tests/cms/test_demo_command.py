"""What `make run` prints: the demo's logins at the address the site really serves on."""

from io import StringIO

from django.core.management import call_command


def test_the_demo_logins_name_the_address_the_site_serves_on(settings):
    settings.DEBUG = True  # the demo command is for the local site only
    settings.SITE_URL = "http://127.0.0.1:8765"
    output = StringIO()

    call_command("load_demo", logins=True, stdout=output)

    lines = output.getvalue().splitlines()
    assert lines[0] == "The demo site: http://127.0.0.1:8765/"
    assert [line.split()[1] for line in lines[1:]] == [
        "admin@example.com", "buyer@example.com", "cro@example.com", "graduate@example.com",
    ]  # fmt: skip
    assert all("127.0.0.1:8765" in line for line in lines) and len(lines) == 5
