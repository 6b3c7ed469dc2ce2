"""A small demo site for the local ``make run``: a home page and a few placeholder providers."""

from django.db import transaction
from wagtail.models import Page, Site

from cms.models import HomePage, ProviderIndexPage, ProviderPage

PLACEHOLDER_PROVIDERS = [
    ("Suzhou Preclinical Sciences", "Suzhou", "GLP rodent and non-rodent toxicology."),
    ("Shanghai DMPK Laboratories", "Shanghai", "In vitro ADME and bioanalysis."),
    ("Wuxi Conjugate Chemistry", "Wuxi", "ADC linker-payload synthesis and conjugation."),
    ("Hainan Boao Clinical Research", "Qionghai", "Early-phase clinical studies."),
    ("Chengdu Herbal Formulation Institute", "Chengdu", "TCM herbal formulation R&D."),
]


@transaction.atomic
def load_demo_site() -> dict[str, int]:
    """Create the home page, the provider index and placeholder providers; safe to run again.

    Replaces Wagtail's default welcome page with the marketplace home page and points the
    default site at it. Returns how many pages were created.
    """
    created = 0
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's migrations leave a plain "Welcome" page where the home page goes.
        for welcome in root.get_children():
            if welcome.specific_class is Page:
                welcome.delete()
        home = root.add_child(
            instance=HomePage(
                title="CRO Marketplace",
                slug="home",
                intro=(
                    "Find, quote, contract and pay Chinese contract research organisations "
                    "for outsourced R&D, in RMB, with every deal screened for compliance."
                ),
            )
        )
        created += 1
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Demo"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])

    providers_index = ProviderIndexPage.objects.child_of(home).first()
    if providers_index is None:
        providers_index = home.add_child(
            instance=ProviderIndexPage(
                title="Providers", slug="providers", intro="Contract research organisations."
            )
        )
        created += 1

    for name, city, summary in PLACEHOLDER_PROVIDERS:
        slug = name.lower().replace(" ", "-")
        if ProviderPage.objects.child_of(providers_index).filter(slug=slug).exists():
            continue
        providers_index.add_child(
            instance=ProviderPage(title=name, slug=slug, city=city, summary=summary)
        )
        created += 1
    return {"created": created}
