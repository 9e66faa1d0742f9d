"""Realistic demo data for the Haninge agreement: the same data for the same seed."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agreement.models import (
    Agreement,
    Area,
    CitizenPromise,
    Indicator,
    IndicatorValue,
    Problem,
    SituationReport,
)
from followup.models import Decision, Meeting
from followup.report import for_meeting
from measures.freshness import one_change
from measures.models import (
    Measure,
    MeasureIndicator,
    MeasureProblem,
    MeasurePromise,
    ProgressUpdate,
    Review,
)
from measures.roles import MUNICIPAL_STAFF, POLICE_LIAISON

# (focus area slug, title, cause, measure, operational goal, kind, party, unit, districts)
MEASURES = [
    (
        "barn-och-unga",
        "Sociala insatsgrupper för unga i riskzon",
        "Fler unga under 18 år misstänks för narkotika- och våldsbrott i Jordbro och Brandbergen.",
        "Socialtjänst, skola och polis samordnar individuella insatser för unga som riskerar "
        "att dras in i kriminalitet, med samtycke från vårdnadshavare.",
        "Varje ung person i insatsgruppen har en samordnad plan inom fyra veckor.",
        "social",
        "gemensam",
        "Socialförvaltningen och områdespolisen",
        ["jordbro", "brandbergen"],
    ),
    (
        "barn-och-unga",
        "Föräldraträffar om tidiga tecken på kriminalitet",
        "Vårdnadshavare vet för lite om hur rekrytering till kriminella nätverk går till.",
        "Träffar på skolor och fritidsgårdar där polis och fältassistenter berättar om tecken "
        "och var man får stöd.",
        "Sex träffar per termin med minst 150 deltagande vårdnadshavare totalt.",
        "social",
        "gemensam",
        "Fältassistenterna",
        ["handen", "jordbro", "brandbergen"],
    ),
    (
        "barn-och-unga",
        "Sommarjobb för unga i utsatta områden",
        "Sysslolöshet under sommarlovet sammanfaller med fler ungdomsbrott.",
        "Kommunen erbjuder feriearbete med handledning till unga 16–18 år.",
        "300 unga erbjuds feriearbete varje sommar.",
        "social",
        "kommun",
        "Arbetsmarknadsenheten",
        ["jordbro", "brandbergen", "vega"],
    ),
    (
        "barn-och-unga",
        "Polisens skolbesök i årskurs 7",
        "Elever uppger låg kunskap om konsekvenser av att bära kniv.",
        "Kommunpolisen besöker alla högstadieskolor och samtalar om vapen, droger och grupptryck.",
        "Alla klasser i årskurs 7 får ett besök under läsåret.",
        "social",
        "polis",
        "Kommunpolisen",
        [],
    ),
    (
        "barn-och-unga",
        "Fritidsgård med förlängda öppettider",
        "Unga samlas sent på kvällen vid centrumanläggningar utan vuxna i närheten.",
        "Fritidsgården i Brandbergen håller öppet till 23 fredag och lördag med extra personal.",
        "Öppet till 23 varje helg och minst 60 besökare per kväll.",
        "social",
        "kommun",
        "Kultur- och fritidsförvaltningen",
        ["brandbergen"],
    ),
    (
        "offentlig-miljo",
        "Nattvandring med vuxna i Jordbro centrum",
        "Boende upplever otrygghet i Jordbro centrum fredag och lördag kväll.",
        "Föreningar och föräldrar vandrar i par kvällstid, samordnat med polisens närvaro.",
        "Vuxna ute varje fredag och lördag 20–24 under terminerna.",
        "social",
        "gemensam",
        "Trygghetssamordnaren",
        ["jordbro"],
    ),
    (
        "offentlig-miljo",
        "Tryggare skolvägar i Handen",
        "Föräldrar och elever upplever gångtunneln vid Handens station som otrygg.",
        "Belysning byts, buskage röjs och tunneln målas i ljusa färger.",
        "Tre skolvägar har ny belysning och röjd vegetation före skolstart.",
        "situational",
        "kommun",
        "Samhällsbyggnadsförvaltningen",
        ["handen"],
    ),
    (
        "offentlig-miljo",
        "Trygghetsvandring med boende i Brandbergen",
        "Boende pekar ut platser där de undviker att gå när det är mörkt.",
        "Kommun, polis, fastighetsägare och boende går tillsammans och listar åtgärder.",
        "En åtgärdslista med ansvarig för varje punkt inom sex veckor efter vandringen.",
        "situational",
        "gemensam",
        "Trygghetssamordnaren och kommunpolisen",
        ["brandbergen"],
    ),
    (
        "offentlig-miljo",
        "Kameraövervakning vid Handenterminalen",
        "Anmälda rån och misshandel har ökat vid bussterminalen.",
        "Polisen ansöker om och sätter upp kameror vid terminalen.",
        "Kameror i drift och färre anmälda rån jämfört med föregående år.",
        "situational",
        "polis",
        "Lokalpolisområde Haninge/Nynäshamn",
        ["handen"],
    ),
    (
        "offentlig-miljo",
        "Hastighetskontroller vid skolor i Västerhaninge",
        "Boende rapporterar höga hastigheter förbi skolor morgon och eftermiddag.",
        "Polisen gör riktade kontroller och kommunen sätter upp hastighetsdisplayer.",
        "Tio kontrolltillfällen per termin och lägre uppmätt medelhastighet.",
        "situational",
        "gemensam",
        "Trafikenheten och trafikpolisen",
        ["vasterhaninge", "tungelsta"],
    ),
    (
        "offentlig-miljo",
        "Klotter- och skadegörelsesanering inom 24 timmar",
        "Kvarstående klotter och skadegörelse ökar otryggheten och drar till sig mer.",
        "Kommunens driftsenhet sanerar anmält klotter på kommunal mark inom ett dygn.",
        "90 procent av anmält klotter sanerat inom 24 timmar.",
        "situational",
        "kommun",
        "Drift och underhåll",
        [],
    ),
    (
        "hemmiljo",
        "Information till äldre om bedrägerisamtal",
        "Äldre i kommunen utsätts för telefonbedrägerier där gärningspersonen utger sig för att vara bank eller polis.",
        "Polis och äldreomsorg håller informationsträffar på träffpunkter och delar ut material.",
        "Träffar på alla kommunens träffpunkter för äldre under året.",
        "social",
        "gemensam",
        "Äldreförvaltningen och brottsofferpolisen",
        [],
    ),
    (
        "hemmiljo",
        "Hembesök hos äldre i skärgården",
        "Äldre i skärgården är mer isolerade och nås sämre av information om brott.",
        "Hemtjänsten tar med information om bedrägerier och inbrottsskydd vid hembesök.",
        "Alla hushåll med hemtjänst i skärgården har fått informationen.",
        "social",
        "kommun",
        "Hemtjänsten",
        ["skargarden", "dalaro"],
    ),
    (
        "hemmiljo",
        "Utbildning om våld i nära relation för förskolepersonal",
        "Personal känner sig osäker på hur de ska agera vid misstanke om våld i hemmet.",
        "Utbildning för personal i förskola och skola om signaler och anmälningsplikt.",
        "All personal i förskolan har gått utbildningen före läsårets slut.",
        "social",
        "kommun",
        "Utbildningsförvaltningen",
        [],
    ),
    (
        "hemmiljo",
        "Gemensamt arbetssätt vid larm om våld i nära relation",
        "Ärenden om våld i nära relation faller mellan socialtjänst och polis.",
        "Socialtjänst och polis inför gemensamma rutiner för riskbedömning och uppföljning.",
        "En gemensam rutin beslutad och tillämpad i alla nya ärenden.",
        "social",
        "gemensam",
        "Socialförvaltningen och utredningsgruppen",
        [],
    ),
    (
        "samhallsniva",
        "Platssamverkan i Jordbro",
        "Jordbro är av polisen utpekat som utsatt område med öppen narkotikahandel.",
        "Fastighetsägare, kommun och polis samverkar i en BID-liknande modell för området.",
        "Samverkansavtal med alla större fastighetsägare och kvartalsvisa lägesbilder.",
        "situational",
        "gemensam",
        "Trygghetssamordnaren",
        ["jordbro"],
    ),
    (
        "samhallsniva",
        "Gemensam lägesbild varannan vecka",
        "Kommun och polis har olika bilder av var problemen finns.",
        "Ett gemensamt möte varannan vecka där händelser och underrättelser vägs samman.",
        "Möte varannan vecka med protokollförda beslut om insatser.",
        "situational",
        "gemensam",
        "Kommunledningsförvaltningen och lokalpolisområdet",
        [],
    ),
    (
        "samhallsniva",
        "Kontroller mot den kriminella ekonomin",
        "Verksamheter används för penningtvätt och för att ta del av välfärdens pengar.",
        "Kommunens tillsyn och polisen gör gemensamma kontroller av restauranger och bilverkstäder.",
        "Tolv samordnade kontroller per år och återrapport till styrgruppen.",
        "situational",
        "gemensam",
        "Miljö- och hälsoskydd och polisen",
        ["handen", "jordbro"],
    ),
    (
        "samhallsniva",
        "Utbildning om välfärdsbrott för handläggare",
        "Handläggare upptäcker sällan felaktiga utbetalningar och falska intyg.",
        "Utbildning om kontroller och anmälan av misstänkta välfärdsbrott.",
        "Alla handläggare av ekonomiskt bistånd har gått utbildningen.",
        "social",
        "kommun",
        "Socialförvaltningen",
        [],
    ),
    (
        "samhallsniva",
        "Områdespolis i Brandbergen",
        "Låg tillit till polisen bland boende i Brandbergen.",
        "Fasta områdespoliser med regelbunden närvaro och medborgardialog.",
        "Områdespoliserna finns på plats minst tre dagar i veckan och håller medborgardialog varje kvartal.",
        "social",
        "polis",
        "Områdespolisen",
        ["brandbergen"],
    ),
]

UNIT_STAFF = [
    ("anna.holm", "Anna", "Holm", MUNICIPAL_STAFF),
    ("erik.sandberg", "Erik", "Sandberg", MUNICIPAL_STAFF),
    ("lina.ahmadi", "Lina", "Ahmadi", MUNICIPAL_STAFF),
    ("peter.oberg", "Peter", "Öberg", MUNICIPAL_STAFF),
    ("sofia.karlsson", "Sofia", "Karlsson", POLICE_LIAISON),
    ("mikael.nord", "Mikael", "Nord", POLICE_LIAISON),
]

SUMMARIES = [
    "Arbetet följer planen. Samtliga planerade tillfällen har genomförts.",
    "Två tillfällen fick ställas in på grund av personalbrist; de tas igen nästa månad.",
    "Bra uppslutning från föreningarna. Samverkan med polisen fungerar väl.",
    "Upphandlingen har dragit ut på tiden, vilket försenar genomförandet.",
    "Första uppföljningen visar färre anmälningar på platsen än samma period i fjol.",
    "Deltagarna ger positiva omdömen. Vi behöver fler vuxna till helgerna.",
    "Arbetet har stannat av i väntan på beslut om finansiering.",
]
NEXT_STEPS = [
    "Fortsätter enligt plan till nästa uppföljning.",
    "Ny rekrytering av volontärer under kommande månad.",
    "Avstämning med polisen inför sommaren.",
    "Beslut om fortsatt finansiering tas i nämnden.",
    "",
]
COMMENTS = [
    "Bra, stämmer med polisens bild.",
    "Godkänd. Ta gärna med antal deltagare nästa gång.",
    "Tack, fint arbete.",
]


def _demo_users():
    User = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=[MUNICIPAL_STAFF, POLICE_LIAISON])}
    users = {MUNICIPAL_STAFF: [], POLICE_LIAISON: []}
    for username, first, last, group in UNIT_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.invalid",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(groups[group])
        users[group].append(user)
    return users


def _report(rng, m, day, *, final, count, n, staff):
    return ProgressUpdate(
        measure=m,
        reported_on=day,
        status=m.status if final else Measure.Status.IN_PROGRESS,
        progress=100
        if final and m.status == Measure.Status.DONE
        else min(95, 100 * (n + 1) // (count + 1)),
        assessment=rng.choice(["green"] * 5 + ["yellow"] * 2 + ["red"]),
        summary=rng.choice(SUMMARIES),
        next_steps=rng.choice(NEXT_STEPS),
        author=m.owner or staff[0],
    )


def _evenly_spread(rng, m, count, today, staff):
    """`count` reports spread over the measure's time so far (for the benchmark)."""
    last_day = min(today, m.end_date)
    span = max((last_day - m.start_date).days, 1)
    return [
        _report(
            rng,
            m,
            min(m.start_date + datetime.timedelta(days=span * (n + 1) // count), today),
            final=n == count - 1,
            count=count,
            n=n,
            staff=staff,
        )
        for n in range(count)
    ]


def _one_per_period(rng, m, periods, today, staff):
    """A report in most reporting periods the measure ran in, as the rhythm
    asks; some periods are missed, and the one due now is half done."""
    last_day = min(today, m.end_date)
    running = [p for p in periods if p.starts_on <= last_day and p.ends_on >= m.start_date]
    days = []
    for period in running:
        open_now = period.ends_on >= today
        if rng.random() < (0.5 if open_now else 0.85):
            first = max(period.starts_on, m.start_date)
            days.append(_random_day(rng, first, min(period.ends_on, last_day)))
    if not days:
        days = [_random_day(rng, m.start_date, last_day)]
    return [
        _report(rng, m, day, final=n == len(days) - 1, count=len(days), n=n, staff=staff)
        for n, day in enumerate(days)
    ]


def _random_day(rng, start, end):
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


@transaction.atomic
@one_change()  # bulk writes send no signals; cached pages go once, at the end
def seed(*, measures=40, updates_per_measure=None, seed=2025, today=None):
    """Create `measures` measures with progress updates and reviews. Returns the count."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    agreement = Agreement.objects.current(today)
    focus_areas = {fa.slug: fa for fa in agreement.focus_areas.all()}
    areas = {a.slug: a for a in Area.objects.all()}
    users = _demo_users()
    staff, police = users[MUNICIPAL_STAFF], users[POLICE_LIAISON]
    start, end = agreement.valid_from, agreement.valid_until

    objs, area_links = [], []
    for i in range(measures):
        template = MEASURES[i % len(MEASURES)]
        slug, title, cause, description, goal, kind, party, unit, district_slugs = template
        round_ = i // len(MEASURES)
        if round_:
            # The same kind of work again, as a later stage.
            title = f"{title}, etapp {round_ + 1}"
        m_start = _random_day(rng, start, min(today + datetime.timedelta(days=120), end))
        m_end = _random_day(rng, m_start + datetime.timedelta(days=30), end)
        if m_end < m_start:
            m_end = m_start
        if m_start > today:
            status = Measure.Status.PLANNED
        elif m_end < today:
            status = rng.choice([Measure.Status.DONE] * 4 + [Measure.Status.IN_PROGRESS])
        else:
            status = rng.choice(
                [Measure.Status.IN_PROGRESS] * 6 + [Measure.Status.PLANNED, Measure.Status.PAUSED]
            )
        owner = None if rng.random() < 0.06 else rng.choice(police if party == "polis" else staff)
        objs.append(
            Measure(
                focus_area=focus_areas[slug],
                title=title,
                description=description,
                cause=cause,
                operational_goal=goal,
                kind=kind,
                is_one_off=rng.random() < 0.2,
                responsible_party=party,
                responsible_unit=unit,
                owner=owner,
                start_date=m_start,
                end_date=m_end,
                status=status,
                created_by=staff[0],
                updated_by=staff[0],
            )
        )
        area_links.append(district_slugs)

    created = bulk_create_with_history(objs, Measure, batch_size=500, default_user=staff[0])
    # bulk_create returns primary keys on PostgreSQL and SQLite alike.
    Through = Measure.areas.through
    Through.objects.bulk_create(
        [
            Through(measure_id=m.pk, area_id=areas[s].pk)
            for m, slugs in zip(created, area_links, strict=True)
            for s in slugs
            if s in areas
        ],
        batch_size=1000,
    )

    periods = list(agreement.periods.order_by("starts_on"))
    updates = []
    for m in created:
        if m.status == Measure.Status.PLANNED:
            continue
        if updates_per_measure is not None:
            updates.extend(_evenly_spread(rng, m, updates_per_measure, today, staff))
        else:
            updates.extend(_one_per_period(rng, m, periods, today, staff))
    # A few reports come in late, dated back into an earlier period after a
    # newer one was posted: the measure still stands where the newest says.
    for m in rng.sample(created, k=min(3, len(created))):
        earlier = [u for u in updates if u.measure is m]
        if len(earlier) >= 2:
            first = min(earlier, key=lambda u: u.reported_on)
            updates.append(
                ProgressUpdate(
                    measure=m,
                    reported_on=first.reported_on + datetime.timedelta(days=1),
                    status=Measure.Status.IN_PROGRESS,
                    progress=first.progress,
                    assessment=rng.choice(["green", "yellow"]),
                    summary=rng.choice(SUMMARIES),
                    next_steps="",
                    author=m.owner or staff[0],
                )
            )
    ProgressUpdate.objects.bulk_create(updates, batch_size=1000)

    reviews = []
    for u in updates:
        # The newest reports wait in the police liaisons' queue.
        if u.reported_on > today - datetime.timedelta(days=45):
            continue
        verdict = "needs_changes" if rng.random() < 0.1 else "approved"
        reviews.append(
            Review(
                progress_update=u,
                reviewer=rng.choice(police),
                verdict=verdict,
                comment="Beskriv gärna vilka platser som berörts."
                if verdict == "needs_changes"
                else rng.choice(COMMENTS),
            )
        )
    Review.objects.bulk_create(reviews, batch_size=1000)
    # Its own generator, so the measures above stay as they were for a seed.
    _chain(random.Random(seed + 1), agreement, created, today, staff, police)
    _meetings(rng, agreement, periods, today, staff, police, created)
    return len(created)


PARTICIPANTS = (
    "Kommundirektör, Haninge kommun\n"
    "Säkerhetschef, Haninge kommun\n"
    "Lokalpolisområdeschef, lokalpolisområde Haninge/Nynäshamn\n"
    "Kommunpolis\n"
    "Trygghetssamordnare (sekreterare)"
)
MINUTES = (
    "1. Rapporterna för perioden gicks igenom. De flesta åtgärder följer planen.\n"
    "2. Fritidsgården i Brandbergen har svårt att bemanna helgerna; socialförvaltningen "
    "tar fram en plan.\n"
    "3. Polisen rapporterade färre anmälda rån vid Handenterminalen än samma period i fjol.\n"
    "4. Rapporter som saknas samlas in av trygghetssamordnaren före nästa möte."
)
AGENDA = (
    "Dagordning:\n"
    "1. Genomgång av periodens rapporter och avvikelser\n"
    "2. Beslut som ska följas upp\n"
    "3. Övriga frågor"
)


def _meetings(rng, agreement, periods, today, staff, police, measures):
    """The steering group's last meeting (frozen, with decisions) and the next
    one (a draft), so a new user sees the whole cycle."""
    closed = [p for p in periods if p.deadline < today]
    current = agreement.periods.for_reporting(today)
    if closed and measures:
        last = closed[-1]
        held = min(last.deadline + datetime.timedelta(days=7), today)
        meeting = Meeting.objects.create(
            agreement=agreement,
            period=last,
            held_on=held,
            title=f"Styrgrupp: uppföljning av {last.name}",
            participants=PARTICIPANTS,
            notes=MINUTES,
        )
        youth = next((m for m in measures if "Fritidsgård" in m.title), measures[0])
        done_on = held + datetime.timedelta(days=20)
        Decision.objects.bulk_create(
            [
                Decision(
                    meeting=meeting,
                    text="Socialförvaltningen tar fram en plan för att bemanna fritidsgården "
                    "i Brandbergen även under helger och lov.",
                    owner=staff[0],
                    due_on=held + datetime.timedelta(days=30),
                    measure=youth,
                ),
                Decision(
                    meeting=meeting,
                    text="Polisen och kommunen gör en gemensam trygghetsvandring i Handen.",
                    owner=police[0],
                    due_on=held + datetime.timedelta(days=45),
                    status=Decision.Status.DONE if done_on <= today else Decision.Status.OPEN,
                    done_on=done_on if done_on <= today else None,
                ),
                Decision(
                    meeting=meeting,
                    text="Trygghetssamordnaren samlar in de rapporter som saknas före nästa möte.",
                    owner=staff[1],
                    due_on=current.deadline if current else held + datetime.timedelta(days=90),
                ),
            ]
        )
        frozen_at = timezone.make_aware(datetime.datetime.combine(held, datetime.time(15, 0)))
        meeting.frozen_at = frozen_at
        meeting.frozen_by = staff[0]
        snapshot = for_meeting(meeting, today=today)
        snapshot["meeting"]["frozen_at"] = frozen_at.strftime("%Y-%m-%d %H:%M")
        snapshot["meeting"]["frozen_by"] = staff[0].get_full_name()
        meeting.snapshot = snapshot
        meeting.save(update_fields=["frozen_at", "frozen_by", "snapshot"])
    if current:
        Meeting.objects.create(
            agreement=agreement,
            period=current,
            held_on=current.deadline + datetime.timedelta(days=7),
            title=f"Styrgrupp: uppföljning av {current.name}",
            participants=PARTICIPANTS,
            notes=AGENDA,
        )


# --- From lägesbild to effect: the situation report, its problems, the
# indicators and the citizen promises, linked to the measures above.

SITUATION_REPORT = {
    "title": "Lägesbild brott och trygghet i Haninge 2024",
    "prepared_on": datetime.date(2024, 11, 28),
    "summary": (
        "Brottsligheten i Haninge ligger något över länets genomsnitt räknat per invånare. "
        "Otryggheten är störst i Jordbro och Brandbergen, som polisen pekat ut som utsatta "
        "områden, och kring Handens station och bussterminal kvällstid.\n"
        "Unga under 18 år är överrepresenterade bland misstänkta för narkotika- och "
        "våldsbrott, och rekryteringen till kriminella nätverk sker allt tidigare. "
        "Anmälningarna om våld i nära relation har ökat, liksom bedrägerier riktade mot "
        "äldre. Bostadsinbrotten har ökat i villaområdena i Vendelsö."
    ),
    "sources": (
        "Polisens trygghetsmätning 2022–2024\n"
        "Anmälda brott 2019–2024 (Brå och Polisen)\n"
        "Stockholmsenkäten 2024, årskurs 9 och gymnasiet år 2\n"
        "Kommunens trygghetsundersökning 2024\n"
        "Intervjuer med fältassistenter, skolor, fastighetsägare och räddningstjänst"
    ),
}

# key: (focus area slug, title, description, district slugs)
PROBLEMS = {
    "youth_jordbro": (
        "barn-och-unga",
        "Unga samlas kvällstid i Jordbro centrum",
        "Grupper av unga samlas fredag och lördag kväll vid Jordbro centrum och "
        "pendeltågsstationen, med stök och hot mot förbipasserande. Samma mönster finns i "
        "mindre skala i Brandbergens centrum.",
        ["jordbro", "brandbergen"],
    ),
    "recruitment": (
        "barn-och-unga",
        "Rekrytering av unga till kriminella nätverk",
        "Polisen ser att barn ned till 13 års ålder används för att förvara vapen och "
        "narkotika. Skolor och socialtjänst får signaler sent.",
        ["jordbro", "brandbergen"],
    ),
    "knives": (
        "barn-och-unga",
        "Unga bär kniv för att känna sig trygga",
        "Var tionde elev i årskurs 9 uppger i Stockholmsenkäten att de burit kniv under "
        "det senaste året, oftast med trygghet som skäl.",
        [],
    ),
    "unsafe_places": (
        "offentlig-miljo",
        "Otrygga gångtunnlar och busshållplatser",
        "Boende pekar ut gångtunnlar, busshållplatser och parkeringar med dålig belysning "
        "som platser de undviker när det är mörkt.",
        ["handen", "brandbergen"],
    ),
    "robbery_terminal": (
        "offentlig-miljo",
        "Rån och misshandel vid Handenterminalen",
        "Anmälda rån och misshandelsbrott vid bussterminalen har ökat, främst fredag och "
        "lördag efter 22.",
        ["handen"],
    ),
    "drugs_handen": (
        "offentlig-miljo",
        "Narkotikaförsäljning nära Handens station",
        "Försäljning av cannabis och tabletter sker öppet i anslutning till stationen och "
        "gångvägen mot Handens centrum, enligt polisen och väktarbolaget.",
        ["handen"],
    ),
    "vandalism": (
        "offentlig-miljo",
        "Skadegörelse och klotter",
        "Skadegörelse på kommunala fastigheter och i kollektivtrafiken kostar mycket och "
        "ökar otryggheten där den får stå kvar.",
        [],
    ),
    "domestic_violence": (
        "hemmiljo",
        "Fler anmälningar om våld i nära relation",
        "Anmälningarna om misshandel i nära relation har ökat med en femtedel på tre år. "
        "Barn finns ofta i hemmen, och ärenden faller mellan socialtjänst och polis.",
        [],
    ),
    "elderly_fraud": (
        "hemmiljo",
        "Bedrägerier och andra brott mot äldre",
        "Äldre luras av telefonbedragare som utger sig för att vara bank eller polis, och "
        "utsätts för stölder i hemmet av falska hantverkare.",
        [],
    ),
    "burglary_vendelso": (
        "hemmiljo",
        "Inbrott i villor i Vendelsö",
        "Bostadsinbrotten har ökat i villaområdena i Vendelsö, ofta dagtid när de boende "
        "är på arbetet.",
        ["vendelso"],
    ),
    "drugs_jordbro": (
        "samhallsniva",
        "Öppen narkotikahandel i Jordbro",
        "Jordbro är av polisen utpekat som utsatt område, med öppen narkotikahandel och "
        "kriminella som påverkar lokalsamhället.",
        ["jordbro"],
    ),
    "criminal_economy": (
        "samhallsniva",
        "Kriminell ekonomi och välfärdsbrott",
        "Verksamheter används för penningtvätt, och felaktiga utbetalningar och falska "
        "intyg upptäcks sällan.",
        [],
    ),
    "trust_brandbergen": (
        "samhallsniva",
        "Låg tillit till polisen i Brandbergen",
        "Få boende i Brandbergen anmäler brott eller vittnar, och tilliten till polisen är "
        "lägre än i kommunen i övrigt.",
        ["brandbergen"],
    ),
}

# key: (focus area slug or None, title, description, source, unit, direction,
#       baseline, baseline day, target, target day, how often measured, district slugs,
#       how far towards the target the newest value has come)
INDICATORS = {
    "unsafe_area": (
        "offentlig-miljo",
        "Andel som känner sig otrygga i sitt bostadsområde",
        "Polisens trygghetsmätning: andelen som känner sig ganska eller mycket otrygga ute "
        "ensamma sent en kväll i sitt bostadsområde.",
        "safety_survey",
        "percent",
        "decrease",
        "31.0",
        datetime.date(2024, 10, 15),
        "26.0",
        datetime.date(2027, 10, 15),
        "yearly",
        [],
        0.55,
    ),
    "crime_rate": (
        None,
        "Anmälda brott per 1 000 invånare",
        "Alla anmälda brott i Haninge kommun de senaste tolv månaderna, per 1 000 invånare.",
        "reported_crime",
        "rate",
        "decrease",
        "104.2",
        datetime.date(2024, 12, 31),
        "96.0",
        datetime.date(2027, 12, 31),
        "quarterly",
        [],
        -0.35,
    ),
    "school_safety": (
        "barn-och-unga",
        "Andel elever i årskurs 9 som känner sig trygga i skolan",
        "Kommunens elevenkät i årskurs 9: andelen som instämmer helt eller delvis i att de "
        "känner sig trygga i skolan.",
        "municipal_survey",
        "percent",
        "increase",
        "79.0",
        datetime.date(2024, 5, 31),
        "85.0",
        datetime.date(2027, 5, 31),
        "yearly",
        [],
        0.7,
    ),
    "burglaries": (
        "hemmiljo",
        "Anmälda bostadsinbrott per kvartal",
        "Anmälda inbrott och försök till inbrott i villa och lägenhet, per kvartal.",
        "reported_crime",
        "count",
        "decrease",
        "48",
        datetime.date(2024, 12, 31),
        "40",
        datetime.date(2027, 12, 31),
        "quarterly",
        [],
        1.15,
    ),
    "avoid_activities": (
        "offentlig-miljo",
        "Andel som avstår från aktiviteter av oro för brott",
        "Polisens trygghetsmätning: andelen som ofta eller ibland avstått från en aktivitet "
        "eller ett sätt att resa av oro för att utsättas för brott.",
        "safety_survey",
        "percent",
        "decrease",
        "18.0",
        datetime.date(2024, 10, 15),
        "14.0",
        datetime.date(2027, 10, 15),
        "yearly",
        [],
        0.02,
    ),
    "fraud_elderly": (
        "hemmiljo",
        "Anmälda bedrägerier mot personer över 65 år",
        "Anmälda bedrägerier där den drabbade är 65 år eller äldre, per kvartal.",
        "reported_crime",
        "count",
        "decrease",
        "62",
        datetime.date(2024, 12, 31),
        "45",
        datetime.date(2027, 12, 31),
        "quarterly",
        [],
        0.45,
    ),
    "trust_jordbro": (
        "samhallsniva",
        "Andel i Jordbro med förtroende för polisens arbete i området",
        "Polisens trygghetsmätning, Jordbro: andelen med ganska eller mycket stort "
        "förtroende för polisens arbete i området.",
        "safety_survey",
        "percent",
        "increase",
        "46.0",
        datetime.date(2024, 10, 15),
        "55.0",
        datetime.date(2027, 10, 15),
        "yearly",
        ["jordbro"],
        0.4,
    ),
}

PROMISES = {
    "jordbro": (
        "Medborgarlöfte 2026: Ett tryggare Jordbro centrum",
        "Polisen och Haninge kommun lovar att under 2026:\n"
        "- finnas på plats i Jordbro centrum fredag och lördag kväll, tillsammans med "
        "nattvandrare och fältassistenter,\n"
        "- förbättra belysningen på gångvägarna mellan stationen och centrum,\n"
        "- samverka med fastighetsägarna mot den öppna narkotikahandeln,\n"
        "- berätta för de boende vad vi gjort och vad det gett, vid två dialogmöten.",
        datetime.date(2026, 1, 29),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 12, 31),
    ),
    "elderly": (
        "Medborgarlöfte 2026: Äldre ska inte luras",
        "Polisen och Haninge kommun lovar att under 2026 nå alla kommunens träffpunkter för "
        "äldre och alla hushåll med hemtjänst med råd om hur man känner igen och stoppar "
        "bedragare, och att ta emot anmälningar på plats.",
        datetime.date(2026, 1, 29),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 12, 31),
    ),
}

# The links of each kind of measure (by its title in MEASURES). Two kinds
# name no problem, and two problems have no measure: the chain has gaps.
LINKS = {
    "Sociala insatsgrupper för unga i riskzon": (
        ["recruitment", "youth_jordbro"],
        ["school_safety"],
        ["jordbro"],
    ),
    "Föräldraträffar om tidiga tecken på kriminalitet": (["recruitment"], ["school_safety"], []),
    "Sommarjobb för unga i utsatta områden": (["youth_jordbro", "recruitment"], [], []),
    "Polisens skolbesök i årskurs 7": (["knives"], ["school_safety"], []),
    "Fritidsgård med förlängda öppettider": (["youth_jordbro"], ["unsafe_area"], []),
    "Nattvandring med vuxna i Jordbro centrum": (
        ["youth_jordbro"],
        ["unsafe_area", "avoid_activities"],
        ["jordbro"],
    ),
    "Tryggare skolvägar i Handen": (["unsafe_places"], ["unsafe_area"], []),
    "Trygghetsvandring med boende i Brandbergen": (
        ["unsafe_places"],
        ["unsafe_area", "avoid_activities"],
        [],
    ),
    "Kameraövervakning vid Handenterminalen": (["robbery_terminal"], ["crime_rate"], []),
    "Hastighetskontroller vid skolor i Västerhaninge": ([], [], []),
    "Klotter- och skadegörelsesanering inom 24 timmar": (["vandalism"], ["unsafe_area"], []),
    "Information till äldre om bedrägerisamtal": (
        ["elderly_fraud"],
        ["fraud_elderly"],
        ["elderly"],
    ),
    "Hembesök hos äldre i skärgården": (["elderly_fraud"], ["fraud_elderly"], ["elderly"]),
    "Utbildning om våld i nära relation för förskolepersonal": (["domestic_violence"], [], []),
    "Gemensamt arbetssätt vid larm om våld i nära relation": (["domestic_violence"], [], []),
    "Platssamverkan i Jordbro": (
        ["drugs_jordbro"],
        ["trust_jordbro", "crime_rate"],
        ["jordbro"],
    ),
    "Gemensam lägesbild varannan vecka": ([], ["crime_rate"], []),
    "Kontroller mot den kriminella ekonomin": (["criminal_economy"], ["crime_rate"], []),
    "Utbildning om välfärdsbrott för handläggare": (["criminal_economy"], [], []),
    "Områdespolis i Brandbergen": (["trust_brandbergen"], ["unsafe_area"], []),
}

PLAN_DECISION = {
    "plan_decided_on": datetime.date(2025, 3, 17),
    "plan_decided_by": "Kommunstyrelsen",
    "plan_reference": "KS 2025/0143",
}


def _measurement_days(cadence, baseline_on, today):
    """The days an indicator is measured, from a year before its baseline to
    today: each year on the baseline's day, or each quarter's last day."""
    if cadence == "yearly":
        days = [
            baseline_on.replace(year=year) for year in range(baseline_on.year - 1, today.year + 1)
        ]
    else:
        days = []
        for year in range(baseline_on.year - 1, today.year + 1):
            for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
                days.append(datetime.date(year, month, day))
        first = baseline_on - datetime.timedelta(days=92)
        days = [d for d in days if d >= first]
    return [d for d in days if d <= today]


def _indicator_values(rng, indicator, cadence, story, today, by):
    """Values on a trend from the baseline towards (or away from) the target,
    with some noise; the newest has come `story` of the way."""
    baseline, target = float(indicator.baseline_value), float(indicator.target_value)
    decimals = 0 if indicator.unit == "count" else 1
    days = _measurement_days(cadence, indicator.baseline_on, today)
    after = [d for d in days if d > indicator.baseline_on]
    span = max((after[-1] - indicator.baseline_on).days, 1) if after else 1
    noise = abs(target - baseline) * 0.12
    values = []
    for day in days:
        if day < indicator.baseline_on:
            # The year before: a little worse than the baseline.
            number = baseline - (target - baseline) * 0.15
        elif day == indicator.baseline_on:
            number = baseline
        else:
            share = story * (day - indicator.baseline_on).days / span
            number = baseline + share * (target - baseline)
            if day != after[-1]:
                number += rng.uniform(-noise, noise)
        if indicator.unit == "percent":
            number = min(max(number, 0.0), 100.0)
        values.append(
            IndicatorValue(
                indicator=indicator,
                measured_on=day,
                value=Decimal(f"{number:.{decimals}f}"),
                comment="Utgångsvärde." if day == indicator.baseline_on else "",
                entered_by=by,
            )
        )
    return values


def _chain(rng, agreement, measures, today, staff, police):
    """The agreement's situation report with its problems, its indicators
    with their values, two citizen promises, the action plan's decision, and
    the measures' links to them."""
    Agreement.objects.filter(pk=agreement.pk).update(**PLAN_DECISION)
    focus_areas = {fa.slug: fa for fa in agreement.focus_areas.all()}
    areas = {a.slug: a for a in Area.objects.all()}

    report, _ = SituationReport.objects.get_or_create(
        agreement=agreement,
        title=SITUATION_REPORT["title"],
        defaults={k: v for k, v in SITUATION_REPORT.items() if k != "title"},
    )
    problems = {}
    for key, (slug, title, description, district_slugs) in PROBLEMS.items():
        problem, created = Problem.objects.get_or_create(
            situation_report=report,
            title=title,
            defaults={"description": description, "focus_area": focus_areas.get(slug)},
        )
        if created:
            problem.areas.set([areas[s] for s in district_slugs if s in areas])
        problems[key] = problem

    indicators = {}
    for key, row in INDICATORS.items():
        (slug, title, description, source, unit, direction, baseline, baseline_on) = row[:8]
        target, target_on, cadence, district_slugs, story = row[8:]
        target_on = min(max(target_on, agreement.valid_from), agreement.valid_until)
        indicator, created = Indicator.objects.get_or_create(
            agreement=agreement,
            title=title,
            defaults={
                "focus_area": focus_areas.get(slug),
                "description": description,
                "source": source,
                "unit": unit,
                "direction": direction,
                "baseline_value": Decimal(baseline),
                "baseline_on": min(baseline_on, target_on),
                "target_value": Decimal(target),
                "target_on": target_on,
            },
        )
        if created:
            indicator.areas.set([areas[s] for s in district_slugs if s in areas])
            by = police[0] if source in ("safety_survey", "reported_crime") else staff[0]
            IndicatorValue.objects.bulk_create(
                _indicator_values(rng, indicator, cadence, story, today, by)
            )
        indicators[key] = indicator

    promises = {}
    for key, (title, text, signed_on, valid_from, valid_until) in PROMISES.items():
        promises[key], _ = CitizenPromise.objects.get_or_create(
            agreement=agreement,
            title=title,
            defaults={
                "text": text,
                "signed_on": signed_on,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )

    problem_links, indicator_links, promise_links = [], [], []
    for measure in measures:
        kind = measure.title.split(", etapp ")[0]
        problem_keys, indicator_keys, promise_keys = LINKS.get(kind, ([], [], []))
        problem_links += [
            MeasureProblem(measure=measure, problem=problems[k]) for k in problem_keys
        ]
        indicator_links += [
            MeasureIndicator(measure=measure, indicator=indicators[k]) for k in indicator_keys
        ]
        promise_links += [
            MeasurePromise(measure=measure, promise=promises[k]) for k in promise_keys
        ]
    MeasureProblem.objects.bulk_create(problem_links)
    MeasureIndicator.objects.bulk_create(indicator_links)
    MeasurePromise.objects.bulk_create(promise_links)
