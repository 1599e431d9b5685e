"""CIN census code lists.

Source: DfE, "Children in need census 2025 to 2026: guide", annex A code sets (check against the
current guide each year; a code set that changes gets a new constant and the rule that reads it a
new ``years`` range).
"""

from __future__ import annotations

REFERRAL_SOURCES = {
    "1A": "Individual: family member, relative or carer",
    "1B": "Individual: acquaintance (including neighbours and child minders)",
    "1C": "Individual: self",
    "1D": "Individual: other",
    "2A": "Schools",
    "2B": "Education services",
    "3A": "Health services: GP",
    "3B": "Health services: health visitor",
    "3C": "Health services: school nurse",
    "3D": "Health services: other primary health services",
    "3E": "Health services: A&E (emergency department)",
    "3F": "Health services: other",
    "4": "Housing (LA housing or housing association)",
    "5A": "LA services: social care (for example adults social care)",
    "5B": "LA services: other internal",
    "5C": "LA services: external (for example from another LA's services)",
    "5D": "LA services: early help",
    "6": "Police",
    "7": "Other legal agency (courts, probation, immigration, CAFCASS, prison)",
    "8": "Other",
    "9": "Anonymous",
    "10": "Unknown",
}

PRIMARY_NEED_CODES = {
    "N0": "Not stated",
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "N9": "Cases other than children in need",
}

REASONS_FOR_CLOSURE = {
    "RC1": "Adopted",
    "RC2": "Died",
    "RC3": "Child arrangements order",
    "RC4": "Special guardianship order",
    "RC5": "Transferred to services of another local authority",
    "RC6": "Transferred to adult social care",
    "RC7": "Services ceased for any other reason, including child no longer in need",
    "RC8": "Case closed after assessment, no further action",
    "RC9": "Case closed after assessment, referred to early help",
}

CATEGORIES_OF_ABUSE = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple categories",
}

DISABILITIES = {
    "NONE": "No disability",
    "MOB": "Mobility",
    "HAND": "Hand function",
    "PC": "Personal care",
    "INC": "Incontinence",
    "COMM": "Communication",
    "LD": "Learning",
    "HEAR": "Hearing",
    "VIS": "Vision",
    "BEH": "Behaviour",
    "CON": "Consciousness",
    "AUT": "Diagnosed with autism or Asperger syndrome",
    "DDA": "Other disability under the Equality Act",
}

ETHNICITIES = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

SEXES = {"M": "Male", "F": "Female", "U": "Unknown or not recorded (including unborn)"}
# GenderCurrent in files before 2024-25: 1 male, 2 female, 0 not recorded or unborn, 9 indeterminate.
GENDER_CURRENT_TO_SEX = {"1": "M", "2": "F", "0": "U", "9": "U"}

UPN_UNKNOWN_REASONS = {
    "UN1": "Child is now over compulsory school age",
    "UN2": "Child has never attended a school in England",
    "UN3": "Child is educated at home",
    "UN4": "Child recently arrived and UPN not yet allocated",
    "UN5": "Sources collating UPNs reflect discrepancy",
    "UN6": "Child aged under 6 years old and not yet assigned a UPN",
    "UN7": "Referral with no further action",
}


def _assessment_factors() -> dict[str, str]:
    """Factors identified at the end of assessment. The suffix says whose: A the child, B a parent
    or carer, C another person in the household. Labels are short; the DfE guide has the detail."""
    codes = {}
    for number, topic in enumerate(
        (
            "Alcohol misuse",
            "Drug misuse",
            "Domestic violence",
            "Mental health",
            "Learning disability",
            "Physical disability or illness",
        ),
        start=1,
    ):
        for letter, whose in (("A", "child"), ("B", "parent or carer"), ("C", "another person")):
            codes[f"{number}{letter}"] = f"{topic}: {whose}"
    codes["7A"] = "Young carer"
    for letter in "BCDEF":
        codes[f"8{letter}"] = "Privately fostered"
    codes.update(
        {
            "9A": "Unaccompanied asylum-seeking child",
            "10A": "Going or being missing",
            "11A": "Child sexual exploitation",
            "12A": "Trafficking",
            "13A": "Gangs",
            "14A": "Socially unacceptable behaviour",
            "15A": "Self-harm",
            "16A": "Abuse or neglect: neglect",
            "17A": "Abuse or neglect: emotional abuse",
            "18A": "Abuse or neglect (obsolete: use 18B or 18C)",
            "18B": "Abuse or neglect: see the DfE guide for 18B",
            "18C": "Abuse or neglect: see the DfE guide for 18C",
            "19A": "Abuse or neglect (obsolete: use 19B or 19C)",
            "19B": "Abuse or neglect: see the DfE guide for 19B",
            "19C": "Abuse or neglect: see the DfE guide for 19C",
            "20": "Other",
            "21": "No factors identified",
            "22A": "Female genital mutilation",
            "23A": "Abuse linked to faith or belief",
            "24A": "Child criminal exploitation",
        }
    )
    return codes


ASSESSMENT_FACTORS = _assessment_factors()
OBSOLETE_ASSESSMENT_FACTORS = {"18A", "19A"}
NO_FACTORS_IDENTIFIED = "21"
