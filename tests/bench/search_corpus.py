"""A synthetic search corpus: thousands of providers and listings as valid, live Wagtail pages.

The importer costs ~0.7 s a provider (revisions, workspaces, validation), far too slow for 100,000
listings. So only the first providers go through it (``cms.importer.providers_import``, the real
path); the rest are written in bulk, copying those first pages' rows column by column and setting
what differs: ids from the table's own sequence, treebeard paths (``Page._get_path``), depth,
numchild, url_path, slug, titles, text, taxonomy, publication dates. Django's ``bulk_create``
refuses multi-table models, so each level (``wagtailcore_page``, then ``cms_providerpage`` or
``cms_servicepage``...) is written with PostgreSQL ``COPY`` from ``Model._meta.
local_concrete_fields``, each value prepared by its field (JSON, Decimal, UUID).

What the bulk pages lack, on purpose: revisions (``live_revision`` is empty), the providers'
editor groups, collections and page permissions, and Wagtail's own admin search index and
reference index. None of these is read by buyer-facing search; the few imported providers have
them all.

Text is built from the taxonomy (labels and synonyms in both languages), cities, standards,
prices in CNY and turnaround days, so that the query mix finds realistic numbers of hits: each
provider has a focus (one capability family) that most of its listings belong to.
"""

import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

# Cities with their Chinese names and the zone each sits in; the weights favour the big hubs.
CITIES = [
    ("Shanghai", "上海", "shanghai_ftz", 16),
    ("Suzhou", "苏州", "jiangsu_ftz", 12),
    ("Beijing", "北京", "beijing_ftz", 12),
    ("Hangzhou", "杭州", "zhejiang_ftz", 8),
    ("Nanjing", "南京", "jiangsu_ftz", 6),
    ("Chengdu", "成都", "sichuan_ftz", 6),
    ("Wuhan", "武汉", "hubei_ftz", 5),
    ("Guangzhou", "广州", "guangdong_ftz", 6),
    ("Shenzhen", "深圳", "guangdong_ftz", 6),
    ("Tianjin", "天津", "tianjin_ftz", 5),
    ("Haikou", "海口", "hainan_ftp", 2),
    ("Lianyungang", "连云港", "jiangsu_ftz", 2),
    ("Taizhou", "泰州", "mainland", 3),
    ("Changsha", "长沙", "mainland", 3),
    ("Xi'an", "西安", "mainland", 3),
    ("Jinan", "济南", "mainland", 2),
    ("Hefei", "合肥", "mainland", 2),
    ("Xiamen", "厦门", "mainland", 2),
]
# Company names: two syllables (pinyin and character), then what kind of company it is.
SYLLABLES = [
    ("Kang", "康"), ("He", "和"), ("Tai", "泰"), ("Bo", "博"), ("Rui", "瑞"), ("Ming", "明"),
    ("Hua", "华"), ("Sheng", "盛"), ("Yuan", "源"), ("Xin", "欣"), ("Jia", "嘉"), ("Tong", "通"),
    ("Da", "达"), ("Heng", "恒"), ("An", "安"), ("Mei", "美"), ("Kai", "凯"), ("Li", "立"),
    ("Zhi", "智"), ("Wei", "维"), ("Chuang", "创"), ("Yao", "耀"), ("Tian", "天"), ("Hai", "海"),
    ("Jing", "晶"), ("Yi", "益"), ("Run", "润"), ("Feng", "丰"), ("Xiang", "翔"), ("Cheng", "诚"),
]  # fmt: skip
CRO_KINDS = [
    ("Biosciences", "生物科技有限公司"),
    ("Pharma Services", "医药科技有限公司"),
    ("Preclinical Research", "药物临床前研究有限公司"),
    ("Biologics", "生物制药有限公司"),
    ("Laboratories", "检测技术有限公司"),
    ("Medicines Research", "新药研究有限公司"),
    ("Bio-Pharmaceutical Technology", "生物医药技术有限公司"),
    ("Clinical Research", "临床研究有限公司"),
]
TCM_KINDS = [("TCM Research", "中医药研究有限公司"), ("Herbal Medicine", "中药科技有限公司")]
# Standards that go with each capability family (listings and certifications).
FAMILY_STANDARDS = {
    "discovery": ["ISO_9001"],
    "biology": ["ISO_9001", "AAALAC"],
    "dmpk": ["GLP", "ISO_17025", "OECD_GLP"],
    "safety": ["GLP", "OECD_GLP", "NMPA_GLP", "AAALAC"],
    "pharmacology": ["AAALAC", "GLP"],
    "biologics": ["GMP", "ISO_9001", "FDA_INSPECTED"],
    "cell_gene_therapy": ["GMP", "FDA_INSPECTED"],
    "cmc": ["GMP", "ISO_9001", "FDA_INSPECTED", "EMA_INSPECTED"],
    "clinical": ["GCP", "ISO_9001"],
    "regulatory": ["ISO_9001"],
    "medical_device": ["ISO_17025", "CNAS", "ISO_9001"],
    "laboratory": ["ISO_17025", "CNAS", "GCP", "GLP"],
    "tcm": ["GMP", "GCP"],
}
# Price from (CNY) and turnaround (days) ranges by family.
FAMILY_PRICES = {
    "discovery": (20_000, 800_000), "biology": (10_000, 300_000), "dmpk": (8_000, 400_000),
    "safety": (150_000, 3_000_000), "pharmacology": (50_000, 800_000),
    "biologics": (300_000, 5_000_000), "cell_gene_therapy": (500_000, 8_000_000),
    "cmc": (200_000, 5_000_000), "clinical": (500_000, 20_000_000),
    "regulatory": (30_000, 600_000), "medical_device": (20_000, 500_000),
    "laboratory": (5_000, 200_000), "tcm": (20_000, 1_000_000),
}  # fmt: skip
FAMILY_DAYS = {
    "discovery": (14, 180), "biology": (7, 90), "dmpk": (7, 120), "safety": (28, 400),
    "pharmacology": (21, 180), "biologics": (60, 365), "cell_gene_therapy": (90, 540),
    "cmc": (30, 365), "clinical": (90, 900), "regulatory": (14, 180),
    "medical_device": (14, 120), "laboratory": (3, 60), "tcm": (14, 365),
}  # fmt: skip
# Families whose studies name species.
SPECIES_FAMILIES = {"safety", "pharmacology", "dmpk", "biology"}
SPECIES_PLURAL = {
    "species.mouse": "mice",
    "species.rat": "rats",
    "species.rabbit": "rabbits",
    "species.dog": "beagle dogs",
    "species.minipig": "minipigs",
    "species.non_human_primate": "non-human primates (NHPs)",
}
CLOSINGS_EN = [
    "Reports in English and Chinese; sponsor audits welcome.",
    "A dedicated project manager works in your time zone.",
    "Data packages support FDA, EMA and NMPA submissions.",
    "Sample shipping and import permits handled for overseas sponsors.",
    "Weekly updates and raw data access through a secure portal.",
]
CLOSINGS_ZH = [
    "提供中英文双语报告，欢迎申办方稽查。",
    "配备专职项目经理，服务海外客户。",
    "数据可用于NMPA、FDA及EMA申报。",
    "协助海外客户办理样品运输与进口许可。",
    "每周进展汇报，可通过安全平台查看原始数据。",
]
# The importer keeps an online consultation without a licence as a draft; the bulk path gives
# some of them a licence (so they are live), the importer-built providers none.
TCM_DELIVERY = {
    "tcm.online_consultation": "online_consultation",
    "tcm.herbal_formulation": "herbal_formulation_rd",
    "tcm.quality_standards": "herbal_formulation_rd",
    "tcm.decoction_pieces": "herbal_formulation_rd",
    "tcm.clinical_evaluation": "tcm_clinical_evaluation",
    "tcm.acupuncture": "wellness",
    "tcm.wellness": "wellness",
}
EXTERNAL_PREFIX = "sb"  # external ids: sb-p00001, sb-p00001-s1


def _lower_first(label: str) -> str:
    """'Rodent toxicology' -> 'rodent toxicology', but 'ADC' and 'In vitro' -> kept readable."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@dataclass
class Node:
    id: int
    code: str
    en: str
    zh: str
    synonyms_en: list[str]
    synonyms_zh: list[str]

    @property
    def family(self) -> str:
        return self.code.split(".")[0]


@dataclass
class Vocabulary:
    """The catalog as the generator needs it, read once from the database."""

    capabilities: dict[str, list[Node]]  # by family, CRO families only (leaves and branches)
    tcm: list[Node]
    therapeutic_areas: list[Node]
    modalities: list[Node]
    species: list[Node]
    zones: dict[str, int]
    standard_labels: dict[str, str]
    by_code: dict[str, Node]

    @classmethod
    def load(cls) -> "Vocabulary":
        from marketplace.catalog.models import Standard, TaxonomyKind, TaxonomyNode, Zone

        by_kind: dict[str, list[Node]] = {}
        for node in TaxonomyNode.objects.order_by("position", "code"):
            if "." not in node.code:
                continue  # roots are for filtering, not tagging
            by_kind.setdefault(node.kind, []).append(
                Node(
                    id=node.pk,
                    code=node.code,
                    en=node.label_en,
                    zh=node.label_zh,
                    synonyms_en=[s for s in node.synonyms if not _is_chinese(s)],
                    synonyms_zh=[s for s in node.synonyms if _is_chinese(s)],
                )
            )
        capabilities: dict[str, list[Node]] = {}
        tcm = []
        for node in by_kind[TaxonomyKind.CAPABILITY]:
            if node.family == "tcm":
                tcm.append(node)
            else:
                capabilities.setdefault(node.family, []).append(node)
        return cls(
            capabilities=capabilities,
            tcm=tcm,
            therapeutic_areas=by_kind[TaxonomyKind.THERAPEUTIC_AREA],
            modalities=[
                n for n in by_kind[TaxonomyKind.MODALITY] if n.code != "modality.tcm_herbal"
            ],
            species=by_kind[TaxonomyKind.SPECIES],
            zones=dict(Zone.objects.values_list("code", "pk")),
            standard_labels={code: str(label) for code, label in Standard.choices},
            by_code={node.code: node for nodes in by_kind.values() for node in nodes},
        )

    def node(self, code: str) -> Node:
        return self.by_code[code]


@dataclass
class Listing:
    external_id: str
    is_tcm: bool
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    capabilities: list[Node]
    therapeutic_areas: list[Node]
    modalities: list[Node]
    species: list[Node]
    standards: list[str]
    price_from: Decimal | None
    turnaround_days: int | None
    delivery: str
    published_at: object = None
    licensed_institution: str = ""
    licence_number: str = ""


@dataclass
class Provider:
    number: int
    external_id: str
    kind: str
    name_en: str
    name_zh: str
    slug: str
    city: str
    city_zh: str
    zone: str
    is_verified: bool
    summary_en: str
    summary_zh: str
    founded: int
    headcount: int
    website: str
    certifications: list[tuple[str, str, str, object]]
    published_at: object
    listings: list[Listing] = field(default_factory=list)


class Generator:
    """Deterministic (seeded) providers and listings in English and Chinese."""

    def __init__(self, vocabulary: Vocabulary, *, seed: int, tcm_share: float, today):
        self.v = vocabulary
        self.seed = seed
        self.tcm_share = tcm_share
        self.today = today
        self.now = None
        self.city_weights = [weight for *_rest, weight in CITIES]
        self.families = sorted(vocabulary.capabilities)

    def provider(self, number: int, services: int, *, kind: str | None = None) -> Provider:
        from django.utils import timezone
        from django.utils.text import slugify

        rng = random.Random(self.seed * 1_000_003 + number)
        now = timezone.now()
        if kind is None:
            kind = "tcm" if rng.random() < self.tcm_share else "cro"
        city, city_zh, zone, _weight = rng.choices(CITIES, weights=self.city_weights)[0]
        (s1, c1), (s2, c2) = rng.sample(SYLLABLES, 2)
        kind_en, kind_zh = rng.choice(TCM_KINDS if kind == "tcm" else CRO_KINDS)
        name_en = f"{city} {s1}{s2.lower()} {kind_en}"
        name_zh = f"{city_zh}{c1}{c2}{kind_zh}"
        family = "tcm" if kind == "tcm" else rng.choice(self.families)
        external_id = f"{EXTERNAL_PREFIX}-p{number:05d}"
        published_at = now - timedelta(days=rng.uniform(30, 900))
        standards = FAMILY_STANDARDS[family]
        certifications = []
        for standard in rng.sample(
            standards + ["ISO_9001"], rng.randint(1, min(3, len(standards)))
        ):
            if standard in {c[0] for c in certifications}:
                continue
            expired = rng.random() < 0.15
            days = -rng.randint(30, 900) if expired else rng.randint(60, 1800)
            certifications.append(
                (
                    standard,
                    rng.choice(["NMPA", "CNAS", "AAALAC International", "OECD MAD authority"]),
                    f"{standard[:3]}-{rng.randint(2015, 2025)}-{number:05d}",
                    self.today + timedelta(days=days),
                )
            )
        provider = Provider(
            number=number,
            external_id=external_id,
            kind=kind,
            name_en=name_en,
            name_zh=name_zh,
            slug=f"{slugify(name_en)[:60].strip('-')}-{number}",
            city=city,
            city_zh=city_zh,
            zone=zone,
            is_verified=rng.random() < 2 / 3,
            summary_en="",
            summary_zh="",
            founded=rng.randint(1995, 2023),
            headcount=int(rng.lognormvariate(4.5, 1.2)) + 5,
            website=f"https://www.{slugify(s1 + s2)}-{number}.example.cn",
            certifications=certifications,
            published_at=published_at,
        )
        for s_number in range(1, services + 1):
            provider.listings.append(self.listing(rng, provider, family, s_number))
        labels_en = list(
            dict.fromkeys(_lower_first(lst.capabilities[0].en) for lst in provider.listings)
        )
        labels_zh = list(dict.fromkeys(lst.capabilities[0].zh for lst in provider.listings))
        provider.summary_en = (
            f"{name_en} serves overseas sponsors from {city} with "
            f"{', '.join(labels_en[:4]) or 'research services'}."
        )
        provider.summary_zh = (
            f"{name_zh}立足{city_zh}，为海外申办方提供{'、'.join(labels_zh[:4])}服务。"
        )
        return provider

    def listing(self, rng: random.Random, provider: Provider, family: str, number: int) -> Listing:
        v = self.v
        is_tcm = family == "tcm"
        if is_tcm:
            pool = v.tcm
            listing_family = "tcm"
        else:
            # Most listings sit in the provider's focus family; some anywhere.
            listing_family = family if rng.random() < 0.7 else rng.choice(self.families)
            pool = v.capabilities[listing_family]
        primary = rng.choice(pool)
        capabilities = [primary]
        if len(pool) > 1 and rng.random() < 0.35:
            capabilities.append(rng.choice([n for n in pool if n is not primary]))
        areas = rng.sample(v.therapeutic_areas, rng.randint(1, 2))
        modalities = (
            [v.node("modality.tcm_herbal")]
            if is_tcm
            else rng.sample(v.modalities, rng.randint(1, 2))
        )
        species = (
            rng.sample(v.species, rng.randint(1, 3))
            if listing_family in SPECIES_FAMILIES and rng.random() < 0.8
            else []
        )
        family_standards = FAMILY_STANDARDS[listing_family]
        standards = rng.sample(family_standards, rng.randint(1, min(2, len(family_standards))))
        low, high = FAMILY_PRICES[listing_family]
        price = (
            None
            if rng.random() < 0.08
            else Decimal(round(rng.uniform(low, high), -2)).quantize(Decimal("0.01"))
        )
        low_days, high_days = FAMILY_DAYS[listing_family]
        days = None if rng.random() < 0.05 else rng.randint(low_days, high_days)
        if is_tcm:
            delivery = TCM_DELIVERY.get(primary.code, "herbal_formulation_rd")
        elif listing_family in ("regulatory",) or primary.code.endswith("computational_chemistry"):
            delivery = "remote"
        elif listing_family == "clinical":
            delivery = rng.choice(["onsite", "hybrid"])
        else:
            delivery = rng.choices(["onsite", "hybrid", "remote"], weights=[8, 2, 1])[0]

        title_en, title_zh = self._titles(rng, primary, standards, areas, modalities, species)
        description_en, description_zh = self._descriptions(
            rng, provider, capabilities, standards, areas, modalities, species, price, days
        )
        language = rng.random()
        if language < 0.06:  # written in English only
            title_zh = description_zh = ""
        elif language < 0.12:  # written in Chinese only
            title_en = description_en = ""
        listing = Listing(
            external_id=f"{provider.external_id}-s{number}",
            is_tcm=is_tcm,
            title_en=title_en,
            title_zh=title_zh,
            description_en=description_en,
            description_zh=description_zh,
            capabilities=capabilities,
            therapeutic_areas=areas,
            modalities=modalities,
            species=species,
            standards=standards,
            price_from=price,
            turnaround_days=days,
            delivery=delivery,
            published_at=provider.published_at + timedelta(days=rng.uniform(0, 25)),
        )
        if delivery == "online_consultation":
            listing.licensed_institution = f"{provider.city_zh}{provider.name_zh[-8:-6]}中医医院"
            listing.licence_number = f"PDY{rng.randint(10_000_000, 99_999_999)}"
        return listing

    def _titles(self, rng, primary: Node, standards, areas, modalities, species):
        standard = self.v.standard_labels[standards[0]]
        area, modality = areas[0], modalities[0]
        english = [
            f"{standard} {_lower_first(primary.en)}",
            f"{primary.en} for {_lower_first(modality.en)} programmes",
            f"{primary.en} ({_lower_first(area.en)})",
            f"{primary.en} with {rng.randint(2, 6)}-week turnaround",
        ]
        chinese = [
            f"{standards[0].replace('_', ' ')}{primary.zh}",
            f"{modality.zh}{primary.zh}服务",
            f"{area.zh}领域{primary.zh}",
            f"{primary.zh}一站式服务",
        ]
        if species:
            english.append(f"{primary.en} in {SPECIES_PLURAL[species[0].code]}")
            chinese.append(f"{species[0].zh}{primary.zh}")
        if primary.synonyms_en:
            synonym = rng.choice(primary.synonyms_en)
            english.append(f"{synonym} services: {_lower_first(primary.en)}")
        if primary.synonyms_zh:
            chinese.append(f"{primary.zh}（{rng.choice(primary.synonyms_zh)}）")
        return rng.choice(english), rng.choice(chinese)

    def _descriptions(self, rng, provider, capabilities, standards, areas, modalities, species,
                      price, days):  # fmt: skip
        primary = capabilities[0]
        labels = self.v.standard_labels
        standard_en = " and ".join(labels[s] for s in standards)
        standard_zh = "及".join(s.replace("_", " ") for s in standards)
        areas_en = " and ".join(_lower_first(a.en) for a in areas)
        areas_zh = "、".join(a.zh for a in areas)
        modalities_en = " and ".join(_lower_first(m.en) for m in modalities)
        modalities_zh = "、".join(m.zh for m in modalities)
        english = [
            f"{primary.en} for {modalities_en} programmes in {areas_en}, run at our "
            f"{provider.city} site to {standard_en} requirements."
        ]
        chinese = [
            f"在{provider.city_zh}基地开展{primary.zh}，覆盖{areas_zh}领域的{modalities_zh}项目，"
            f"符合{standard_zh}要求。"
        ]
        synonyms_en = primary.synonyms_en[:]
        rng.shuffle(synonyms_en)
        if len(capabilities) > 1:
            english.append(f"Also offered: {_lower_first(capabilities[1].en)}.")
            chinese.append(f"同时提供{capabilities[1].zh}。")
        if synonyms_en:
            english.append(f"Scope includes {', '.join(synonyms_en[:3])}.")
        if primary.synonyms_zh:
            picked = rng.sample(primary.synonyms_zh, min(3, len(primary.synonyms_zh)))
            chinese.append(f"服务内容包括{'、'.join(picked)}等。")
        if species:
            english.append(
                f"Studies in {', '.join(SPECIES_PLURAL[s.code] for s in species)} in "
                "AAALAC-accredited facilities."
            )
            chinese.append(f"可开展{'、'.join(s.zh for s in species)}试验。")
        if days and price:
            english.append(f"Typical turnaround {days} days; prices from CNY {price:,.0f}.")
            chinese.append(f"常规周期约{days}天，起价人民币{price:,.0f}元。")
        elif days:
            english.append(f"Typical turnaround {days} days; quotes within a week.")
            chinese.append(f"常规周期约{days}天，一周内报价。")
        english.append(rng.choice(CLOSINGS_EN))
        chinese.append(rng.choice(CLOSINGS_ZH))
        return " ".join(english), "".join(chinese)


# --- The importer's path, for the first providers ---------------------------------------------


def bundle_record(provider: Provider) -> dict:
    """The provider as a bundle record (docs/provider-bundle.schema.json) for the importer."""

    def text(en: str, zh: str) -> dict:
        return {key: value for key, value in (("en", en), ("zh", zh)) if value}

    services = []
    for listing in provider.listings:
        service = {
            "external_id": listing.external_id,
            "capabilities": [n.code for n in listing.capabilities],
            "therapeutic_areas": [n.code for n in listing.therapeutic_areas],
            "modalities": [n.code for n in listing.modalities],
            "species": [n.code for n in listing.species],
            "title": text(listing.title_en, listing.title_zh),
            "description": text(listing.description_en, listing.description_zh),
            "standards": listing.standards,
            "turnaround_days": listing.turnaround_days,
        }
        if listing.price_from is not None:
            service["price_from"] = {"amount": str(listing.price_from), "currency": "CNY"}
        if not listing.is_tcm:
            service["delivery"] = listing.delivery
        services.append({key: value for key, value in service.items() if value is not None})
    return {
        "external_id": provider.external_id,
        "name": text(provider.name_en, provider.name_zh),
        "kind": provider.kind,
        "country": "CN",
        "zone": provider.zone,
        "city": provider.city,
        "founded": provider.founded,
        "headcount": provider.headcount,
        "website": provider.website,
        "languages": ["en", "zh"],
        "summary": text(provider.summary_en, provider.summary_zh),
        "certifications": [
            {"standard": s, "issuer": i, "reference": r, "valid_until": v.isoformat()}
            for s, i, r, v in provider.certifications
        ],
        "services": services,
    }


def import_first_providers(providers: list[Provider], vocabulary: Vocabulary) -> dict:
    """Create providers through the real importer; verify those the plan says are verified."""
    from django.db import transaction

    from cms.importer import providers_import
    from marketplace.accounts.models import Organisation
    from marketplace.accounts.services import organisation_verify

    # A bundle carries no medical licence, so an online consultation would stay a draft.
    for provider in providers:
        for listing in provider.listings:
            if any(n.code == "tcm.online_consultation" for n in listing.capabilities):
                listing.capabilities = [vocabulary.node("tcm.herbal_formulation")]
                listing.delivery = "herbal_formulation_rd"
    report = providers_import(bundle={"providers": [bundle_record(p) for p in providers]})
    if report.problems or report.drafts:
        raise RuntimeError(f"the importer refused the first providers: {report.problems[:5]} "
                           f"{report.drafts[:5]}")  # fmt: skip
    with transaction.atomic():
        for provider in providers:
            if provider.is_verified:
                organisation_verify(
                    organisation=Organisation.objects.get(external_id=provider.external_id)
                )
    return {"created": report.created, "pages_published": report.pages_published}


# --- The bulk path ------------------------------------------------------------------------------


# Page columns every bulk row sets itself; the rest are copied from the importer's rows.
PAGE_OVERRIDES = {
    "id", "path", "depth", "numchild", "title", "draft_title", "slug", "url_path",
    "translation_key", "live", "has_unpublished_changes", "first_published_at",
    "last_published_at", "latest_revision_created_at", "live_revision_id", "latest_revision_id",
    "owner_id", "locked", "locked_at", "locked_by_id", "go_live_at", "expire_at", "expired",
    "alias_of_id",
}  # fmt: skip


class RowWriter:
    """Rows of one model's own table (``local_concrete_fields``), copied into PostgreSQL."""

    def __init__(self, model, template, overrides: set[str]):
        from django.db import connection

        self.model = model
        self.connection = connection
        self.fields = list(model._meta.local_concrete_fields)
        self.template = {f.attname: getattr(template, f.attname) for f in self.fields}
        missing = [
            f.attname
            for f in self.fields
            if (f.unique or f.primary_key) and f.attname not in overrides
        ]
        if missing:
            raise RuntimeError(f"{model.__name__}: unique columns not set per row: {missing}")
        self.copied = sorted(f.attname for f in self.fields if f.attname not in overrides)
        self.rows: list[list] = []

    def add(self, values: dict) -> None:
        connection = self.connection
        row = []
        for f in self.fields:
            value = values[f.attname] if f.attname in values else self.template[f.attname]
            row.append(f.get_db_prep_save(value, connection))
        self.rows.append(row)

    def flush(self, cursor) -> int:
        if not self.rows:
            return 0
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        statement = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in self.rows:
                copy.write_row(row)
        count = len(self.rows)
        self.rows = []
        return count


class ThroughWriter:
    """Rows of a many-to-many through table: (page id, node id)."""

    def __init__(self, model, field_name: str):
        from django.db import connection

        self.connection = connection
        self.through = model._meta.get_field(field_name).remote_field.through
        fks = [f for f in self.through._meta.local_concrete_fields if not f.primary_key]
        self.page_column = next(f.column for f in fks if f.related_model is model)
        self.node_column = next(f.column for f in fks if f.related_model is not model)
        self.rows: list[tuple[int, int]] = []

    def flush(self, cursor) -> int:
        if not self.rows:
            return 0
        quote = self.connection.ops.quote_name
        statement = (
            f"COPY {quote(self.through._meta.db_table)} "
            f"({quote(self.page_column)}, {quote(self.node_column)}) FROM STDIN"
        )
        with cursor.copy(statement) as copy:
            for row in self.rows:
                copy.write_row(row)
        count = len(self.rows)
        self.rows = []
        return count


TAXONOMY_FIELDS = ("capabilities", "therapeutic_areas", "modalities", "species")


def _page_values(*, page_id, path, depth, numchild, title, slug, url_path, published_at) -> dict:
    return {
        "id": page_id,
        "path": path,
        "depth": depth,
        "numchild": numchild,
        "title": title,
        "draft_title": title,
        "slug": slug,
        "url_path": url_path,
        "translation_key": uuid.uuid4(),
        "live": True,
        "has_unpublished_changes": False,
        "first_published_at": published_at,
        "last_published_at": published_at,
        "latest_revision_created_at": None,
        "live_revision_id": None,
        "latest_revision_id": None,
        "owner_id": None,
        "locked": False,
        "locked_at": None,
        "locked_by_id": None,
        "go_live_at": None,
        "expire_at": None,
        "expired": False,
        "alias_of_id": None,
    }


def listing_slug(title: str, external_id: str) -> str:
    """The importer's slug shape: part of the title, then the (globally unique) external id."""
    from django.utils.text import slugify

    return (
        f"{slugify(title, allow_unicode=True)[:50].strip('-') or 'listing'}-{slugify(external_id)}"
    )


class BulkWriter:
    """Writes providers (organisation, certifications, pages) and listings in batches."""

    def __init__(self, templates: dict):
        from wagtail.models import Page

        from cms.models import ProviderIndexPage, ProviderPage, ServicePage, TCMServicePage

        self.Page = Page
        self.index = ProviderIndexPage.objects.get()
        self.next_position = self.index.numchild + 1
        provider_overrides = PAGE_OVERRIDES | {
            "page_ptr_id", "title_en", "title_zh", "source_checksum", "organisation_id",
            "summary_en", "summary_zh", "zone_id", "city", "founded", "headcount", "website",
            "languages",
        }  # fmt: skip
        listing_overrides = PAGE_OVERRIDES | {
            "page_ptr_id", "title_en", "title_zh", "source_checksum", "external_id",
            "description_en", "description_zh", "standards", "price_from_amount",
            "turnaround_days",
        }  # fmt: skip
        self.writers = {
            "page:provider": RowWriter(Page, templates["provider"], PAGE_OVERRIDES),
            "page:service": RowWriter(Page, templates["service"], PAGE_OVERRIDES),
            "page:tcm": RowWriter(Page, templates["tcm"], PAGE_OVERRIDES),
            "provider": RowWriter(ProviderPage, templates["provider"], provider_overrides),
            "service": RowWriter(
                ServicePage, templates["service"], listing_overrides | {"delivery"}
            ),
            "tcm": RowWriter(
                TCMServicePage,
                templates["tcm"],
                listing_overrides | {"tcm_delivery", "licensed_institution", "licence_number"},
            ),
        }
        self.through = {
            (kind, name): ThroughWriter(model, name)
            for kind, model in (("service", ServicePage), ("tcm", TCMServicePage))
            for name in TAXONOMY_FIELDS
        }
        self.counts: dict[str, int] = {}

    def copied_columns(self) -> dict[str, list[str]]:
        """Which columns come from the importer's rows (reported, so the shapes can be checked)."""
        return {name: writer.copied for name, writer in self.writers.items()}

    def write(self, providers: list[Provider], zones: dict[str, int], cursor) -> None:
        from django.db import connection

        from cms.models import Certification
        from marketplace.accounts.models import Organisation

        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=p.name_en,
                    name_zh=p.name_zh,
                    slug=p.slug,
                    kind=p.kind,
                    country="CN",
                    zone_id=zones[p.zone],
                    city=p.city,
                    website=p.website,
                    verification_status="verified" if p.is_verified else "unverified",
                    verified_at=p.published_at if p.is_verified else None,
                    external_id=p.external_id,
                )
                for p in providers
            ]
        )
        pages_needed = sum(1 + len(p.listings) for p in providers)
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [self.Page._meta.db_table, pages_needed],
        )
        ids = iter(row[0] for row in cursor.fetchall())
        certifications = []
        w = self.writers
        for provider, organisation in zip(providers, organisations, strict=True):
            page_id = next(ids)
            path = self.Page._get_path(self.index.path, self.index.depth + 1, self.next_position)
            self.next_position += 1
            url_path = f"{self.index.url_path}{provider.slug}/"
            title = provider.name_en or provider.name_zh
            w["page:provider"].add(
                _page_values(
                    page_id=page_id, path=path, depth=self.index.depth + 1,
                    numchild=len(provider.listings), title=title, slug=provider.slug,
                    url_path=url_path, published_at=provider.published_at,
                )
            )  # fmt: skip
            w["provider"].add(
                {
                    "page_ptr_id": page_id,
                    "title_en": provider.name_en,
                    "title_zh": provider.name_zh,
                    "source_checksum": "",
                    "organisation_id": organisation.pk,
                    "summary_en": provider.summary_en,
                    "summary_zh": provider.summary_zh,
                    "zone_id": zones[provider.zone],
                    "city": provider.city,
                    "founded": provider.founded,
                    "headcount": provider.headcount,
                    "website": provider.website,
                    "languages": ["en", "zh"],
                }
            )
            for order, (standard, issuer, reference, valid_until) in enumerate(
                provider.certifications
            ):
                certifications.append(
                    Certification(
                        page_id=page_id, sort_order=order, standard=standard, issuer=issuer,
                        reference=reference, valid_until=valid_until,
                    )
                )  # fmt: skip
            for position, listing in enumerate(provider.listings, start=1):
                self._listing(listing, next(ids), path, url_path, position)
        for writer in w.values():
            name = writer.model._meta.db_table
            self.counts[name] = self.counts.get(name, 0) + writer.flush(cursor)
        for writer in self.through.values():
            name = writer.through._meta.db_table
            self.counts[name] = self.counts.get(name, 0) + writer.flush(cursor)
        Certification.objects.bulk_create(certifications)
        self.counts["cms_certification"] = self.counts.get("cms_certification", 0) + len(
            certifications
        )
        self.counts["accounts_organisation"] = self.counts.get("accounts_organisation", 0) + len(
            organisations
        )
        cursor.execute(
            "UPDATE wagtailcore_page SET numchild = numchild + %s WHERE id = %s",
            [len(providers), self.index.pk],
        )
        connection.queries_log.clear()

    def _listing(self, listing: Listing, page_id: int, parent_path: str, parent_url: str,
                 position: int) -> None:  # fmt: skip
        kind = "tcm" if listing.is_tcm else "service"
        title = listing.title_en or listing.title_zh
        slug = listing_slug(title, listing.external_id)
        self.writers[f"page:{kind}"].add(
            _page_values(
                page_id=page_id, path=self.Page._get_path(parent_path, self.index.depth + 2,
                                                         position),
                depth=self.index.depth + 2, numchild=0, title=title, slug=slug,
                url_path=f"{parent_url}{slug}/", published_at=listing.published_at,
            )
        )  # fmt: skip
        values = {
            "page_ptr_id": page_id,
            "title_en": listing.title_en,
            "title_zh": listing.title_zh,
            "source_checksum": "",
            "external_id": listing.external_id,
            "description_en": listing.description_en,
            "description_zh": listing.description_zh,
            "standards": listing.standards,
            "price_from_amount": listing.price_from,
            "turnaround_days": listing.turnaround_days,
        }
        if listing.is_tcm:
            values.update(
                tcm_delivery=listing.delivery,
                licensed_institution=listing.licensed_institution,
                licence_number=listing.licence_number,
            )
        else:
            values["delivery"] = listing.delivery
        self.writers[kind].add(values)
        for name in TAXONOMY_FIELDS:
            rows = self.through[(kind, name)].rows
            for node in getattr(listing, name):
                rows.append((page_id, node.id))


# --- Building and checking ----------------------------------------------------------------------


def corpus_size() -> tuple[int, int]:
    """Live providers and live listings of a corpus already in the database."""
    from cms.models import ProviderPage, ServicePage, TCMServicePage

    listings = ServicePage.objects.live().count() + TCMServicePage.objects.live().count()
    return ProviderPage.objects.live().count(), listings


def build_corpus(
    *,
    providers: int,
    services_per_provider: int,
    first_providers: int = 2,
    tcm_share: float = 0.1,
    seed: int = 20250101,
    batch: int = 500,
) -> dict:
    """Import the first providers, bulk-write the rest; one transaction for the bulk part."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cms.models import ProviderPage, ServicePage, TCMServicePage

    started = time.perf_counter()
    vocabulary = Vocabulary.load()
    generator = Generator(vocabulary, seed=seed, tcm_share=tcm_share, today=timezone.localdate())
    first_providers = max(min(first_providers, providers), 2) if providers >= 2 else providers
    # The first providers: one CRO, one TCM (both listing tables get a template row).
    first = [
        generator.provider(number, services_per_provider, kind="tcm" if number == 2 else "cro")
        for number in range(1, first_providers + 1)
    ]
    imported = import_first_providers(first, vocabulary)
    import_seconds = time.perf_counter() - started
    print(f"  imported {len(first)} providers through the importer in {import_seconds:.1f} s",
          file=sys.stderr)  # fmt: skip

    external_ids = [p.external_id for p in first]
    provider_template = ProviderPage.objects.filter(
        organisation__external_id__in=external_ids
    ).first()
    templates = {
        "provider": provider_template,
        "service": ServicePage.objects.filter(external_id__startswith=EXTERNAL_PREFIX).first(),
        "tcm": TCMServicePage.objects.filter(external_id__startswith=EXTERNAL_PREFIX).first(),
    }
    if None in templates.values():
        raise RuntimeError(f"no template row: {templates}")
    writer = BulkWriter(templates)
    bulk_started = time.perf_counter()
    total = providers - first_providers
    done = 0
    message = "  bulk: no provider left to write"
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        for begin in range(first_providers + 1, providers + 1, batch):
            numbers = range(begin, min(begin + batch, providers + 1))
            generated = [generator.provider(n, services_per_provider) for n in numbers]
            writer.write(generated, vocabulary.zones, cursor)
            done += len(generated)
            elapsed = time.perf_counter() - bulk_started
            pages = done * (1 + services_per_provider)
            message = (
                f"  bulk: {done:,}/{total:,} providers, {pages:,} pages, {elapsed:.1f} s "
                f"({pages / elapsed:,.0f} pages/s)"
            )
            if sys.stderr.isatty():
                print(f"\r{message}", end="", file=sys.stderr, flush=True)
    print(("\n" if sys.stderr.isatty() else "") + message, file=sys.stderr)
    bulk_seconds = time.perf_counter() - bulk_started
    analyse_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyse_seconds = time.perf_counter() - analyse_started
    return {
        "providers": providers,
        "services_per_provider": services_per_provider,
        "through_importer": {
            "providers": len(first),
            **imported,
            "seconds": round(import_seconds, 1),
        },  # fmt: skip
        "bulk": {
            "providers": total,
            "seconds": round(bulk_seconds, 1),
            "pages_per_second": round(done * (1 + services_per_provider) / bulk_seconds)
            if bulk_seconds
            else None,
            "rows": writer.counts,
            "columns_copied_from_importer_rows": writer.copied_columns(),
        },
        "analyze_seconds": round(analyse_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


TREE_CHECKS = {
    "paths whose length is not depth x steplen": (
        "SELECT count(*) FROM wagtailcore_page WHERE length(path) <> depth * 4"
    ),
    "orphans (no parent path)": """
        SELECT count(*) FROM wagtailcore_page c WHERE c.depth > 1 AND NOT EXISTS (
            SELECT 1 FROM wagtailcore_page p WHERE p.path = substr(c.path, 1, length(c.path) - 4))
    """,
    "wrong numchild": """
        SELECT count(*) FROM wagtailcore_page p LEFT JOIN (
            SELECT substr(path, 1, length(path) - 4) AS parent, count(*) AS children
            FROM wagtailcore_page WHERE depth > 1 GROUP BY 1) c ON c.parent = p.path
        WHERE p.numchild <> coalesce(c.children, 0)
    """,
    "url_path not parent's url_path + slug": """
        SELECT count(*) FROM wagtailcore_page c JOIN wagtailcore_page p
            ON p.path = substr(c.path, 1, length(c.path) - 4)
        WHERE c.depth > 1 AND c.url_path <> p.url_path || c.slug || '/'
    """,
    "sibling slugs repeated": """
        SELECT count(*) FROM (SELECT 1 FROM wagtailcore_page
            GROUP BY substr(path, 1, length(path) - 4), slug HAVING count(*) > 1) repeats
    """,
    "pages without their specific row": """
        SELECT count(*) FROM wagtailcore_page p JOIN django_content_type t
            ON t.id = p.content_type_id AND t.app_label = 'cms'
            AND t.model IN ('providerpage', 'servicepage', 'tcmservicepage')
        WHERE NOT EXISTS (SELECT 1 FROM cms_providerpage x WHERE x.page_ptr_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM cms_servicepage x WHERE x.page_ptr_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM cms_tcmservicepage x WHERE x.page_ptr_id = p.id)
    """,
    "listings without a capability": """
        SELECT (SELECT count(*) FROM cms_servicepage s WHERE NOT EXISTS (
                    SELECT 1 FROM cms_servicepage_capabilities c
                    WHERE c.servicepage_id = s.page_ptr_id))
             + (SELECT count(*) FROM cms_tcmservicepage s WHERE NOT EXISTS (
                    SELECT 1 FROM cms_tcmservicepage_capabilities c
                    WHERE c.tcmservicepage_id = s.page_ptr_id))
    """,
}  # fmt: skip


def check_corpus(*, providers: int, services: int) -> dict:
    """Tree invariants in SQL, counts through the ORM, one provider checked by treebeard."""
    from django.db import connection
    from wagtail.models import Page

    from cms.models import ProviderPage, ServicePage, TCMServicePage

    started = time.perf_counter()
    problems = {}
    with connection.cursor() as cursor:
        for label, statement in TREE_CHECKS.items():
            cursor.execute(statement)
            problems[label] = cursor.fetchone()[0]
    live_providers, live_listings = corpus_size()
    sample = ServicePage.objects.live().order_by("path")[ServicePage.objects.live().count() // 2]
    parent = sample.get_parent().specific
    tree = Page.find_problems(parent=parent)
    result = {
        "tree_problems": problems,
        "treebeard_find_problems_of_one_provider": [len(found) for found in tree],
        "live_providers": live_providers,
        "live_listings": live_listings,
        "live_service_pages": ServicePage.objects.live().count(),
        "live_tcm_service_pages": TCMServicePage.objects.live().count(),
        "expected": {"providers": providers, "listings": services},
        "sample_listing_url": sample.get_url(),
        "sample_provider_url": parent.get_url(),
        "sample_parent_is_provider": isinstance(parent, ProviderPage),
        "seconds": None,
    }
    result["ok"] = (
        not any(problems.values())
        and not any(result["treebeard_find_problems_of_one_provider"])
        and live_providers == providers
        and live_listings == services
        and bool(result["sample_listing_url"])
        and result["sample_parent_is_provider"]
    )
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
