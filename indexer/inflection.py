"""German inflected forms a stem alone does not join, found at query time.

Snowball's German stemmer takes endings off nouns well, but of verbs it keeps the
person's -t (zeigt ≠ zeigen), the past tense's -te (zeigte) and the participle's ge-…-t
(gezeigt), and strong verbs change their vowel (geben, gibt, gab, gegeben). Loanwords
plural in -s (Foto, Fotos; Interview, Interviews), Latin ones in -en and -ien (Firma,
Firmen; Prinzip, Prinzipien), feminine nouns in -innen (Autorin, Autorinnen) also end up
apart. Rather than a second stemmer in the index (which would conflate nouns such as
Markt and Mark in every post), a query word also looks up the stems its other forms have,
and only those the index holds; they score below the word's own stem.
"""

from __future__ import annotations

from functools import lru_cache

from indexer.analysis import german_stem

# Strong and irregular verbs: infinitive, then the forms whose vowel differs (present
# with a vowel change, past, subjunctive past, participle). Language data, not any blog's.
STRONG_VERBS = """
backen buk gebacken
befehlen befiehlt befahl befohlen
beginnen begann begonnen
beißen biss gebissen
bergen birgt barg geborgen
bieten bot geboten
binden band gebunden
bitten bat gebeten
blasen bläst blies geblasen
bleiben blieb geblieben
braten brät briet gebraten
brechen bricht brach gebrochen
brennen brannte gebrannt
bringen brachte gebracht
denken dachte gedacht
dringen drang gedrungen
dürfen darf durfte dürfte gedurft
empfehlen empfiehlt empfahl empfohlen
essen isst aß gegessen
fahren fährt fuhr gefahren
fallen fällt fiel gefallen
fangen fängt fing gefangen
finden fand gefunden
fliegen flog geflogen
fliehen floh geflohen
fließen floss geflossen
fressen frisst fraß gefressen
frieren fror gefroren
geben gibt gab gegeben
gehen ging gegangen
gelingen gelang gelungen
gelten gilt galt gegolten
genießen genoss genossen
geschehen geschieht geschah
gewinnen gewann gewonnen
gießen goss gegossen
gleichen glich geglichen
gleiten glitt geglitten
graben gräbt grub gegraben
greifen griff gegriffen
halten hält hielt gehalten
hängen hing gehangen
heben hob gehoben
heißen hieß geheißen
helfen hilft half geholfen
kennen kannte gekannt
klingen klang geklungen
können kann konnte könnte gekonnt
kommen kam gekommen
kriechen kroch gekrochen
laden lädt lud geladen
lassen lässt ließ gelassen
laufen läuft lief gelaufen
leiden litt gelitten
leihen lieh geliehen
lesen liest las gelesen
liegen lag gelegen
lügen log gelogen
meiden mied gemieden
mögen mag mochte möchte gemocht
messen misst maß gemessen
müssen muss musste müsste gemusst
nehmen nimmt nahm genommen
nennen nannte genannt
pfeifen pfiff gepfiffen
raten rät riet geraten
reiben rieb gerieben
reißen riss gerissen
reiten ritt geritten
rennen rannte gerannt
riechen roch gerochen
rufen rief gerufen
schaffen schuf geschaffen
scheiden schied geschieden
scheinen schien geschienen
schieben schob geschoben
schießen schoss geschossen
schlafen schläft schlief geschlafen
schlagen schlägt schlug geschlagen
schleichen schlich geschlichen
schließen schloss geschlossen
schmelzen schmilzt schmolz geschmolzen
schneiden schnitt geschnitten
schreiben schrieb geschrieben
schreien schrie geschrien
schweigen schwieg geschwiegen
schwimmen schwamm geschwommen
schwinden schwand geschwunden
sehen sieht sah gesehen
senden sandte gesandt
singen sang gesungen
sollen soll sollte gesollt
sinken sank gesunken
sitzen saß gesessen
sprechen spricht sprach gesprochen
springen sprang gesprungen
stechen sticht stach gestochen
stehen stand stünde gestanden
stehlen stiehlt stahl gestohlen
steigen stieg gestiegen
sterben stirbt starb gestorben
stoßen stößt stieß gestoßen
streichen strich gestrichen
streiten stritt gestritten
tragen trägt trug getragen
treffen trifft traf getroffen
treiben trieb getrieben
treten tritt trat getreten
trinken trank getrunken
tun tut tat getan
verderben verdirbt verdarb verdorben
vergessen vergisst vergaß
verlieren verlor verloren
wachsen wächst wuchs gewachsen
waschen wäscht wusch gewaschen
weisen wies gewiesen
werden wurde würde geworden
wenden wandte gewandt
werben wirbt warb geworben
werfen wirft warf geworfen
wollen will wollte gewollt
wiegen wog gewogen
wissen weiß wusste gewusst
ziehen zog gezogen
zwingen zwang gezwungen
"""
# A verb's prefixes: separable ones put ge- and zu- between prefix and verb (angeboten,
# anzubieten); inseparable ones take no ge- (verstanden, bekommen).
SEPARABLE = (
    "ab an auf aus bei dar durch ein fest fort her herab heran heraus herein hin hinaus"
    " los mit nach statt um vor voran voraus vorbei weg weiter wieder zu zurück zusammen"
).split()
INSEPARABLE = "be emp ent er ge miss über unter ver wider zer".split()
# Ablaut stems of three letters (gab, sah, lag) are kept: the nouns that share them (Gabe,
# Lage, Tat) are the verb's kin, and other forms only ever score half.
MIN_ABLAUT = 3


def _groups() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for line in STRONG_VERBS.strip().splitlines():
        forms = line.split()
        stems = {german_stem(f) for f in forms}
        # Inseparable prefixes take no ge-: the participle's stem without it too.
        stems |= {s[2:] for s in list(stems) if s.startswith("ge") and len(s) > 4}
        group = frozenset(stems)
        for s in group:
            out[s] = out.get(s, frozenset()) | group
    return out


GROUPS = _groups()


def _weak(stem: str) -> set[str]:
    """The stems a weak verb's or a loanword's other forms have, from one stem."""
    bases = {stem}
    if stem.endswith("t") and len(stem) >= 4:  # zeigt, zeigte → zeig; gebt → geb
        bases.add(stem[:-1])
    for b in list(bases):
        if b.startswith("ge") and len(b) >= 6:  # gezeig(t) → zeig
            bases.add(b[2:])
        if b.endswith("ier") and len(b) > 5:  # funktionier(t) → funktioni
            bases.add(b[:-2])
    if stem[-3:] in ("ert", "elt") and len(stem) > 7:  # erinnert → erinn (erinnern)
        bases.add(stem[:-3])
    out = set(bases)
    for b in bases:
        out.add(b + "t")
        if not b.startswith("ge"):
            out |= {"ge" + b, "ge" + b + "t"}
        if len(b) >= 5 and b[-1:] not in "aeiouy":  # erinn → erinnert, wechs → wechselt
            out |= {b + "ert", b + "elt"}
        if b.endswith("i"):  # funktioni → funktioniert
            out |= {b + "ert", b + "er"}
        # Plural and genitive -s, which Snowball keeps after most letters (Fotos, Apps,
        # Interviews, Prinzips) and takes off a bare word after some ("Kurs" → "kur",
        # "Kurse" → "kurs").
        if b.endswith("s") and len(b) > 3:  # Fotos → foto, kurs → kur
            out.add(b[:-1])
        elif len(b) >= 3:  # Foto → fotos, Interview → interviews, kur → kurs
            out.add(b + "s")
        if b.endswith("i") and len(b) >= 6:  # Prinzipien → prinzip
            out.add(b[:-1])
        elif b[-1:] not in "aeiouy" and len(b) >= 5:  # Prinzip → prinzipi (Prinzipien)
            out.add(b + "i")
        # Adjectives and participles: Snowball leaves -en of a superlative and of a
        # present participle's -end ("verschiedenste" → "verschieden", "verschieden" →
        # "verschied"; "lesend" ≠ "les"), -n of -eln ("einzelne" → "einzeln", "einzel").
        if b.endswith("en") and len(b) >= 6:
            out.add(b[:-2])
        elif len(b) >= 5:
            out.add(b + "en")
        if b.endswith("end") and len(b) >= 6:
            out.add(b[:-3])
        elif len(b) >= 3:
            out.add(b + "end")
        if b.endswith("eln") and len(b) >= 6:
            out.add(b[:-1])
        elif b.endswith("el") and len(b) >= 5:
            out.add(b + "n")
        # The same for a short noun's dative plural in -ern, whose -ern Snowball leaves
        # where the word is too short for its region ("Flyern" → "flyern", "Flyer" → "flyer").
        if b.endswith("ern") and len(b) >= 6:
            out.add(b[:-1])
        elif b.endswith("er") and len(b) >= 5:
            out.add(b + "n")
        if b.endswith("inn") and len(b) >= 6:  # Autorinnen → autorin
            out.add(b[:-1])
        elif b.endswith("in") and len(b) >= 5:  # Autorin → autorinn (Autorinnen)
            out.add(b + "n")
        if b.endswith("a") and len(b) > 4:  # Firma → firm (Firmen), Thema → them
            out.add(b[:-1])
        elif b[-1:] not in "aeiouy" and len(b) > 3:  # firm (Firmen) → firma
            out |= {b + "a", b + "um"}
        if b.endswith("um") and len(b) > 4:  # Zentrum → zentr (Zentren)
            out.add(b[:-2])
    return out


def _strong(stem: str) -> set[str]:
    """The other stems of a strong verb, prefixed or not (angeboten, anbieten, bot)."""
    out: set[str] = set()
    if stem in GROUPS and len(stem) >= MIN_ABLAUT:
        out |= GROUPS[stem]
    for prefix in (*SEPARABLE, *INSEPARABLE):
        p = prefix.replace("ü", "u")  # stems are written without umlauts
        if not stem.startswith(p) or len(stem) - len(p) < 3:
            continue
        rest = stem[len(p) :]
        if prefix in SEPARABLE and rest.startswith("zu") and rest[2:] in GROUPS:
            rest = rest[2:]
        group = GROUPS.get(rest)
        if group is None:
            continue
        for s in group:
            out.add(p + s)
            if prefix in SEPARABLE and not s.startswith("ge"):
                out.add(p + "ge" + s)
    return out


@lru_cache(maxsize=4096)
def other_forms(stem: str) -> frozenset[str]:
    """Stems the other inflected forms of the word with this German stem may have
    (a superset: the caller keeps those the index holds), the stem itself left out."""
    out = _weak(stem)
    for s in list(out):
        # A strong verb's present and past take -t, -st like a weak one's (schreibt, gibt).
        out |= {f for strong in _strong(s) for f in (strong, strong + "t")}
    out.discard(stem)
    return frozenset(s for s in out if len(s) >= 3 and not s.startswith("gege"))
