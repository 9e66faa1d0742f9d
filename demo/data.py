"""Realistic demo data for the Haninge agreement: the same data for the same seed."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agreement.models import Agreement, Area
from followup.models import Decision, Meeting
from followup.report import for_meeting
from measures.models import Measure, ProgressUpdate, Review
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
