"""The fixed list of topics, each mapped to the UNCTAD, OECD Digital STRI and ESCAP RDTII taxonomies."""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import NotFound


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    description: str
    unctad: tuple[str, ...]
    oecd_dstri: tuple[str, ...]
    rdtii: tuple[str, ...]
    # False for topics of rules of conduct that no fact of an operating profile can be checked against (cybercrime,
    # e-transactions laws): recorded and compared, never checked (a check answers `not_checkable`)
    checkable: bool = True


TOPICS: tuple[Topic, ...] = (
    Topic("consumer-protection", "Consumer protection",
          "Withdrawal and return rights, refunds, pre-contract information.",
          ("Consumer protection",), ("Other barriers affecting trade in digitally enabled services",),
          ("Online sales and transactions",)),
    Topic("customs-and-tax", "Customs and tax on low-value goods",
          "De-minimis thresholds, duty and VAT on cross-border parcels, seller registration for indirect tax.",
          (), ("Other barriers affecting trade in digitally enabled services",),
          ("Tariffs and trade defence", "Quantitative trade restrictions")),
    Topic("personal-data", "Personal data and cross-border data flows",
          "Data localisation, transfer mechanisms, impact assessments, breach notification.",
          ("Data protection and privacy",), ("Other barriers affecting trade in digitally enabled services",),
          ("Domestic data policies", "Cross-border data policies")),
    Topic("platform-presence", "Platform presence and registration",
          "Local entity or representative, registration with an authority, marketplace duties.",
          (), ("Infrastructure and connectivity", "Other barriers affecting trade in digitally enabled services"),
          ("Foreign direct investment", "Intermediary liability")),
    Topic("e-signatures", "Electronic signatures",
          "Legal effect of electronic signatures and seals.",
          ("Electronic transactions",), ("Electronic transactions",), ("Online sales and transactions",)),
    Topic("e-invoicing", "E-invoicing",
          "Structured electronic invoices, clearance systems, issuing deadlines.",
          ("Electronic transactions",), ("Electronic transactions",), ("Technical standards",)),
    Topic("labelling", "Product labelling",
          "Languages and content of product labels for goods sold online.",
          ("Consumer protection",), ("Other barriers affecting trade in digitally enabled services",),
          ("Technical standards", "Online sales and transactions")),
    Topic("payments", "Payments",
          "Who may process payments, e-payment systems.",
          ("Electronic transactions",), ("Electronic payment systems",), ("Online sales and transactions",)),
    Topic("product-safety", "Product safety and conformity",
          "Responsible person in the market, conformity marks (CE, EAC, CCC), mandatory marking and traceability "
          "(e.g. Russia's Chestny ZNAK), safety information on listings.",
          ("Consumer protection",), ("Other barriers affecting trade in digitally enabled services",), ("Technical standards",)),
    Topic("marketplace-tax", "Marketplace and deemed-supplier VAT/GST",
          "Marketplaces made liable to charge and remit VAT or GST on the sales they facilitate, their registration "
          "and records.",
          (), ("Other barriers affecting trade in digitally enabled services",), ("Tariffs and trade defence",)),
    Topic("platform-liability", "Platform and intermediary liability",
          "Seller verification (know your business customer), notice and takedown, statements of reasons.",
          (), ("Other barriers affecting trade in digitally enabled services",), ("Intermediary liability",)),
    Topic("advertising", "Advertising and influencer marketing",
          "Ads recognisable as ads, influencer disclosure, unfair commercial practices online.",
          ("Consumer protection",), ("Other barriers affecting trade in digitally enabled services",), ("Online sales and transactions",)),
    Topic("dispute-resolution", "Consumer dispute resolution",
          "Complaint handling, alternative and online dispute resolution (ADR, ODR) open to consumers.",
          ("Consumer protection",), ("Other barriers affecting trade in digitally enabled services",), ("Online sales and transactions",)),
    Topic("intellectual-property", "Intellectual property on marketplaces",
          "Counterfeit and infringing goods, right holders' notices, marketplace duties.",
          (), ("Intellectual property rights",), ("Intellectual property rights",)),
    Topic("cybercrime", "Cybercrime",
          "Offences against computer systems and data and computer-related fraud: rules of conduct, recorded and "
          "compared but not checkable against an operating profile.",
          ("Cybercrime",), (), (), checkable=False),
    Topic("e-transactions", "Electronic transactions",
          "Legal recognition of electronic contracts, records and communications (e-transactions laws): recorded and "
          "compared but not checkable against an operating profile.",
          ("Electronic transactions",), ("Electronic transactions",), ("Online sales and transactions",),
          checkable=False),
)

_BY_SLUG = {t.slug: t for t in TOPICS}

# the operating profile's top-level sections and the topic each describes (`seller` describes none)
PROFILE_SECTIONS = {
    "consumer_protection": "consumer-protection", "customs": "customs-and-tax", "personal_data": "personal-data",
    "platform_presence": "platform-presence", "e_signatures": "e-signatures", "e_invoicing": "e-invoicing",
    "labelling": "labelling", "payments": "payments", "product_safety": "product-safety",
    "marketplace_tax": "marketplace-tax", "platform_liability": "platform-liability", "advertising": "advertising",
    "dispute_resolution": "dispute-resolution", "intellectual_property": "intellectual-property",
}


def topic(slug: str) -> Topic:
    """The topic with this slug, or NotFound naming the known ones."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise NotFound(f"unknown topic {slug!r}; known topics: {', '.join(_BY_SLUG)}", code="unknown_topic") from None


def is_topic(slug: str) -> bool:
    return slug in _BY_SLUG
