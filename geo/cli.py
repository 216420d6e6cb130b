"""The ``beatmap`` command line, for batch work.

Every command takes ``--db`` (a SQLite file path or a SQLAlchemy URL); without it the database
comes from the settings (``BEATMAP_DATABASE_URL`` or ``beatmap.toml``). Errors are printed
with every problem found and exit with status 2; nothing is half written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from geo._errors import BeatMapError, ValidationError
from geo.settings import Settings, load_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="BeatMap: beat coverage, walking routes and camera siting for community police.",
)

DbOption = typer.Option(None, "--db", help="SQLite file or SQLAlchemy URL (default: settings)")
LangOption = typer.Option(None, "--lang", help="zh or en (default: settings)")


def _settings(db: str | None, lang: str | None = None) -> Settings:
    settings = load_settings()
    changes: dict[str, object] = {}
    if db:
        changes["database_url"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    if lang:
        changes["language"] = lang
    return settings.with_(**changes) if changes else settings


def _echo_lines(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


@app.command()
def demo(
    osm: Path = typer.Option(None, "--osm", help="OSM file (.osm, .osm.pbf, .graphml)"),
    db: str = DbOption,
    seed: int = typer.Option(None, "--seed", help="random seed; same area and seed, same city"),
    households_per_beat: int = typer.Option(900, help="target households per beat"),
    lang: str = LangOption,
) -> None:
    """Build the demo city over an OSM area, replacing what the database holds."""
    from geo.demo import build_demo, write_demo
    from geo.progress import Tracker, terminal_renderer
    from geo.store import Store
    from geo.workspace import (
        FIRST_START_STEPS,
        FIRST_START_WEIGHTS,
        area_source,
        first_start_area,
    )

    settings = _settings(db, lang)
    if osm is not None:
        settings = settings.with_(osm_file=str(osm))
    track = Tracker(
        terminal_renderer(lang=settings.language), FIRST_START_STEPS, weights=FIRST_START_WEIGHTS
    )
    track.start(0)
    area, notes = first_start_area(settings)
    track.start(1)
    city = build_demo(
        area,
        seed=settings.demo_seed if seed is None else seed,
        households_per_beat=households_per_beat,
    )
    track.start(2)
    store = Store(settings.database_url, create=True)  # the one command that makes a database
    write_demo(store, city, source=area_source(area))
    track.finish()
    cli_audit(store, "import", object="demo city", detail=area_source(area))
    store.set_meta(
        {"notes_zh": "\n".join(n[0] for n in notes), "notes_en": "\n".join(n[1] for n in notes)}
    )
    lang_ = settings.language
    _echo_lines(area.report().lines(lang_))
    _echo_lines(city.report.lines(lang_))
    _echo_lines([n[1] if lang_ == "en" else n[0] for n in notes])


@app.command("area")
def area_cmd(
    source: Path = typer.Argument(..., help="OSM file (.osm, .osm.pbf, .graphml)"),
    lang: str = LangOption,
) -> None:
    """Load an OSM file and report what it holds (nodes, edges, km of walkable way, ...)."""
    from geo.network import load_area

    settings = _settings(None, lang)
    _echo_lines(load_area(source).report().lines(settings.language))


def _import_reference(store, settings: Settings, kind: str, datum: str):
    """WGS-84 points of the OSM area for ``--datum auto`` (settings' osm_file, else the
    store's recorded area), and notes for the report when there is none."""
    from geo.io import area_reference
    from geo.model import table

    if datum != "auto" or table(kind).geometry is None:
        return None, []
    source = settings.osm_file or store.get_meta("area_source") or ""
    if not source:
        return None, [
            (
                "没有可比对的 OSM 区域（未设置 osm_file），坐标系仅按列名判断",
                "no OSM area to compare the points with (osm_file not set); the datum was "
                "judged from the headers only",
            )
        ]
    from geo.workspace import load_source

    try:
        area = load_source(source, settings)
    except (BeatMapError, OSError) as exc:
        return None, [
            (
                f"无法读取 OSM 区域 {source}（{exc}），坐标系仅按列名判断",
                f"could not load the OSM area {source} ({exc}); the datum was judged from "
                "the headers only",
            )
        ]
    return area_reference(area), []


@app.command("import")
def import_cmd(
    kind: str = typer.Argument(
        ..., help="stations, beats, officers, households, visits, cameras, incidents or surveys"
    ),
    file: Path = typer.Argument(..., help="CSV, XLSX, GeoJSON, GeoPackage or Shapefile"),
    datum: str = typer.Option("auto", help="coordinates: auto, wgs84, gcj02 or bd09"),
    on_duplicate: str = typer.Option("skip", help="skip (report) or error"),
    db: str = DbOption,
    lang: str = LangOption,
) -> None:
    """Import a file into one table, in one transaction."""
    from geo.io import import_file
    from geo.progress import terminal_renderer
    from geo.store import Store

    settings = _settings(db, lang)
    store = Store(settings.database_url)
    reference, notes = _import_reference(store, settings, kind, datum)
    report = import_file(
        store,
        kind,
        file,
        datum=datum,
        reference=reference,
        on_duplicate=on_duplicate,
        max_field_length=settings.max_field_length,
        progress=terminal_renderer(lang=settings.language),
    )
    report.warnings.extend(notes)
    cli_audit(store, "import", object=f"{kind} <- {file.name}")
    _echo_lines(report.lines(settings.language))


@app.command("export")
def export_cmd(
    kind: str = typer.Argument(..., help="table to export"),
    file: Path = typer.Argument(..., help="output .csv, .xlsx or .gpkg"),
    db: str = DbOption,
    lang: str = LangOption,
) -> None:
    """Export a table; names and phone numbers are masked unless the role allows them."""
    from geo.io import export_table
    from geo.store import Store

    settings = _settings(db, lang)
    store = Store(settings.database_url)
    path = export_table(
        store, kind, file, show_personal=settings.show_personal, lang=settings.language
    )
    cli_audit(
        store, "export", object=f"{kind} -> {Path(path).name}",
        detail="unmasked" if settings.show_personal else "masked",
    )  # fmt: skip
    typer.echo(str(path))


@app.command()
def info(db: str = DbOption, lang: str = LangOption) -> None:
    """Rows per table and where the database is."""
    from geo.model import TABLES
    from geo.store import Store

    settings = _settings(db, lang)
    store = Store(settings.database_url)
    en = settings.language == "en"
    typer.echo(("database: " if en else "数据库：") + repr(store))
    for name, count in store.counts().items():
        label = TABLES[name].label[1 if en else 0]
        typer.echo(f"{label}: {count:,}" if en else f"{label}：{count:,}")
    source = store.get_meta("area_source")
    if source:
        from geo.workspace import area_label

        typer.echo(("area: " if en else "区域：") + area_label(source, settings.language))


@app.command()
def backup(
    dest: Path = typer.Argument(..., help="backup file to write"), db: str = DbOption
) -> None:
    """Copy the SQLite database consistently, even while the app is running."""
    from geo.store import Store

    settings = _settings(db)
    typer.echo(str(Store(settings.database_url, migrate=False).backup(dest)))


@app.command()
def serve(
    port: int = typer.Option(8501, help="port to listen on"),
    address: str = typer.Option("0.0.0.0", help="address to listen on"),
) -> None:
    """Start the web app (streamlit run server.py: the app with its HttpOnly login cookie)."""
    root = Path(__file__).resolve().parent.parent
    app_file = root / "server.py"
    if not app_file.is_file():
        raise BeatMapError(f"{app_file} not found: run from a BeatMap checkout")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_file),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # a served app never reloads its modules when files change on disk
        "--server.fileWatcherType",
        "none",
    ]
    # replace this process with Streamlit, so a service manager's stop signal reaches the server
    os.chdir(root)
    sys.stdout.flush()
    os.execv(sys.executable, cmd)


# --- route: the officer's evening -----------------------------------------------------------
# everything of the route command lives in this block


def _route_area(store, settings: Settings):
    """The OSM area the store's data lie on (settings' osm_file, else the recorded source)."""
    from geo._errors import InputError
    from geo.workspace import load_source

    source = settings.osm_file or store.get_meta("area_source") or ""
    if not source:
        raise InputError(
            "the database records no OSM area and no osm_file is set; pass BEATMAP_OSM_FILE "
            "or build the city with `beatmap demo --osm FILE`"
        )
    return load_source(source, settings)


@app.command("route")
def route_cmd(
    date: str = typer.Option(..., "--date", help="evening date, YYYY-MM-DD"),
    out: Path = typer.Option(
        ..., "--out", help="PDF file (one officer) or folder (a whole station with --station)"
    ),
    officer: int = typer.Option(None, "--officer", help="officer id (one sheet)"),
    station: int = typer.Option(
        None, "--station", help="station id: one sheet per community officer of the station"
    ),
    html_out: Path = typer.Option(None, "--html", help="also write a print-friendly HTML page"),
    start: str = typer.Option("16:00", "--start", help="start of the evening window, HH:MM"),
    end: str = typer.Option("20:00", "--end", help="end of the evening window, HH:MM"),
    service: float = typer.Option(10.0, "--service", help="minutes per household"),
    speed: float = typer.Option(4.5, "--speed", help="walking speed, km/h"),
    seed: int = typer.Option(0, "--seed", help="search seed; same seed, same route"),
    time_limit: float = typer.Option(
        10.0, "--time-limit", help="safety cap (s) per search; a work budget decides the route"
    ),
    db: str = DbOption,
    lang: str = LangOption,
) -> None:
    """Plan tonight's walking route and print the officer's sheet (PDF, optional HTML)."""
    from geo._errors import InputError, NotFoundError
    from geo.evening import EveningSettings, plan_evening
    from geo.progress import Tracker, terminal_renderer
    from geo.sheet import write_sheet
    from geo.store import Store, require_rows

    if (officer is None) == (station is None):
        raise InputError("give exactly one of --officer ID or --station ID")
    settings = _settings(db, lang)
    lang_ = settings.language
    evening = EveningSettings(
        start=start, end=end, service_min=service, speed_kmh=speed, seed=seed,
        time_limit_s=time_limit,
    )  # fmt: skip
    store = Store(settings.database_url)
    require_rows(store, "households")
    tables = {n: store.read(n) for n in ("beats", "officers", "households", "visits")}
    area = _route_area(store, settings)
    shown = settings.show_personal
    if officer is not None:
        plan = plan_evening(area, tables, officer=officer, date=date, settings=evening)
        typer.echo(str(write_sheet(plan, area, out, lang=lang_, show_personal=shown)))
        if html_out is not None:
            typer.echo(str(write_sheet(plan, area, html_out, lang=lang_, show_personal=shown)))
        typer.echo(plan.summary(lang_))
        cli_audit(store, "print", object=f"route officer {officer} {date}")
        return
    offs = tables["officers"]
    if not (tables["beats"]["station_id"] == station).any():
        known = ", ".join(str(int(i)) for i in sorted(tables["beats"]["station_id"].unique()))
        raise NotFoundError(f"unknown station {station!r}; stations with beats: {known}")
    mine = offs[
        (offs["station_id"] == station)
        & (offs["role"] == "community_officer")
        & offs["beat_id"].notna()
    ]
    if mine.empty:
        raise NotFoundError(f"station {station} has no community officer with a beat")
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    track = Tracker(terminal_renderer(lang=lang_), [("规划路线并打印路线单", "routes and sheets")])
    track.start(0, total=len(mine))
    for n, oid in enumerate(mine["id"].astype(int), 1):
        try:
            plan = plan_evening(area, tables, officer=oid, date=date, settings=evening)
        except InputError as exc:
            failed += 1
            typer.secho(f"officer {oid}: {exc}", err=True, fg=typer.colors.YELLOW)
            track.update(n)
            continue
        stem = f"route_{date}_officer{oid}"
        pdf = write_sheet(plan, area, out / f"{stem}.pdf", lang=lang_, show_personal=shown)
        write_sheet(plan, area, out / f"{stem}.html", lang=lang_, show_personal=shown)
        typer.echo(f"{pdf}  {plan.summary(lang_)}")
        track.update(n)
    track.finish()
    cli_audit(store, "print", object=f"routes station {station} {date}")
    if failed == len(mine):
        raise InputError(f"no route could be planned for station {station} on {date}")


# --- end of route block ---------------------------------------------------------------------


# --- accounts and the audit trail -------------------------------------------------------------
# The command line runs on the server as the operating-system user who owns the data: it acts
# as an administrator, and every write it makes is audited as "os:<that user>".

user_app = typer.Typer(no_args_is_help=True, help="Accounts: add, list, reset, disable, enable.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail: verify the chain, export.")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")


def os_user() -> str:
    """The audit name of whoever runs the command: ``os:<login name>``."""
    import getpass

    try:
        return "os:" + getpass.getuser()
    except (KeyError, OSError):
        return f"os:uid{os.getuid()}"


def cli_audit(store, action: str, *, object: str | None = None, detail: str | None = None):
    """Record a command-line action in the audit log under the operating-system user."""
    from geo.auth import audit

    audit.record(store, user=os_user(), action=action, object=object, client="cli", detail=detail)


def _read_new_password(password_stdin: bool, username: str) -> str:
    from geo.auth.passwords import check_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        raise BeatMapError(
            "give the password on standard input with --password-stdin, or use --temporary"
        )
    check_password(password, username=username)
    return password


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="user name (letters, digits, _ . @ -)"),
    role: str = typer.Option(..., "--role", help="officer, team, chief, planner, auditor or admin"),
    officer: int = typer.Option(None, "--officer", help="linked officer record (officer, team)"),
    station: int = typer.Option(None, "--station", help="station of a chief or planner"),
    beat: list[int] = typer.Option(None, "--beat", help="beat id (repeatable)"),
    display_name: str = typer.Option(None, "--display-name", help="name shown in the app"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from standard input"
    ),
    temporary: bool = typer.Option(
        False, "--temporary", help="print a one-time password to be changed at first login"
    ),
    db: str = DbOption,
) -> None:
    """Add an account (the password typed here need not be changed; --temporary must be)."""
    from geo.auth.passwords import temporary_password
    from geo.auth.users import create_user
    from geo.store import Store

    settings = _settings(db)
    # the first administrator may be made before the first start: the database is created
    store = Store(settings.database_url, create=True)
    password = temporary_password() if temporary else _read_new_password(password_stdin, name)
    user = create_user(
        store,
        username=name,
        role=role,
        password=password,
        actor=os_user(),
        display_name=display_name,
        officer_id=officer,
        station_id=station,
        beat_ids=beat or (),
        must_change=temporary,
        client="cli",
    )
    typer.echo(f"{user.username} ({user.role})")
    if temporary:
        typer.echo(f"temporary password: {password}")


@user_app.command("list")
def user_list(db: str = DbOption) -> None:
    """List the accounts: name, role, scope, state, last login."""
    from geo.auth.users import list_users
    from geo.store import Store

    store = Store(_settings(db).database_url)
    for u in list_users(store):
        scope = (
            f"officer {u.officer_id}" if u.officer_id is not None
            else f"station {u.station_id}" if u.station_id is not None
            else "beats " + ",".join(map(str, u.beat_ids)) if u.beat_ids
            else "city"
        )  # fmt: skip
        state = "disabled" if u.disabled else "locked" if u.locked_until else "active"
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "-"
        typer.echo(f"{u.username}\t{u.role}\t{scope}\t{state}\t{last}\t{u.display_name}")


@user_app.command("reset")
def user_reset(name: str = typer.Argument(...), db: str = DbOption) -> None:
    """Give an account a one-time password (printed); its sessions end."""
    from geo.auth.users import reset_password
    from geo.store import Store

    store = Store(_settings(db).database_url)
    typer.echo(f"temporary password: {reset_password(store, name, actor=os_user(), client='cli')}")


@user_app.command("disable")
def user_disable(name: str = typer.Argument(...), db: str = DbOption) -> None:
    """Disable an account; its sessions end."""
    from geo.auth.users import disable_user
    from geo.store import Store

    store = Store(_settings(db).database_url)
    typer.echo(f"{disable_user(store, name, actor=os_user(), client='cli').username}: disabled")


@user_app.command("enable")
def user_enable(name: str = typer.Argument(...), db: str = DbOption) -> None:
    """Enable a disabled account and clear its lockout."""
    from geo.auth.users import enable_user
    from geo.store import Store

    store = Store(_settings(db).database_url)
    typer.echo(f"{enable_user(store, name, actor=os_user(), client='cli').username}: enabled")


@audit_app.command("verify")
def audit_verify(db: str = DbOption) -> None:
    """Check the audit log's hash chain; exit status 1 naming the first row that breaks it."""
    from geo.auth.audit import verify
    from geo.store import Store

    store = Store(_settings(db).database_url)
    n, broken = verify(store)
    if broken is not None:
        typer.secho(f"audit chain broken at {broken}", err=True, fg=typer.colors.RED)
        raise SystemExit(1)
    typer.echo(f"audit chain intact: {n} rows")


@audit_app.command("export")
def audit_export(
    out: Path = typer.Argument(..., help="CSV file to write"),
    user: str = typer.Option(None, "--user", help="only this user's rows"),
    action: str = typer.Option(None, "--action", help="only this action"),
    since: str = typer.Option(None, "--since", help="first day, YYYY-MM-DD"),
    until: str = typer.Option(None, "--until", help="last day, YYYY-MM-DD"),
    db: str = DbOption,
) -> None:
    """Export audit rows as CSV (UTF-8); the export itself is audited."""
    import datetime as dt

    from geo._errors import InputError
    from geo.auth.audit import export_csv, read
    from geo.store import Store

    def day(text: str | None, label: str):
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"{label} must be a date YYYY-MM-DD, got {text!r}") from None

    store = Store(_settings(db).database_url)
    rows = read(
        store, username=user, action=action, start=day(since, "--since"), end=day(until, "--until")
    )
    out.write_bytes(export_csv(rows))
    cli_audit(store, "export", object=f"audit_log -> {out.name}", detail=f"{len(rows)} rows")
    typer.echo(f"{out} ({len(rows)} rows)")


@audit_app.command("prune")
def audit_prune(db: str = DbOption) -> None:
    """Delete audit rows older than the retention setting (at least 180 days); the chain holds."""
    from geo.auth.audit import prune
    from geo.store import Store

    settings = _settings(db)
    store = Store(settings.database_url)
    n = prune(store, retention_days=settings.audit_retention_days, user=os_user())
    typer.echo(f"{n} audit rows older than {settings.audit_retention_days} days removed")


# --- end of accounts block --------------------------------------------------------------------


# --- beats: balanced beat proposals ---------------------------------------------------------

beats_app = typer.Typer(no_args_is_help=True, help="Beats: propose balanced beats for review.")
app.add_typer(beats_app, name="beats")


@beats_app.command("propose")
def beats_propose(
    station: int = typer.Option(..., "--station", help="station id"),
    count: int = typer.Option(..., "--count", help="number of beats to propose"),
    out: Path = typer.Option(..., "--out", help="GeoPackage to write (.gpkg)"),
    rental: float = typer.Option(0.5, "--rental", help="extra workload per rental household"),
    lodger: float = typer.Option(0.2, "--lodger", help="extra workload per lodger"),
    incident: float = typer.Option(0.3, "--incident", help="extra workload per nearby incident"),
    seed: int = typer.Option(0, "--seed", help="seed; same seed, same proposal"),
    db: str = DbOption,
    lang: str = LangOption,
) -> None:
    """Propose COUNT balanced beats for a station and write them (with today's) to a GPKG."""
    from geo.partition import Weights, propose_beats, write_proposal
    from geo.store import Store, require_rows

    settings = _settings(db, lang)
    store = Store(settings.database_url)
    require_rows(store, "households")
    area = _route_area(store, settings)
    weights = Weights(rental=rental, lodger=lodger, incident=incident)
    proposal = propose_beats(
        area,
        store.read("households"),
        store.read("beats"),
        station_id=station,
        count=count,
        incidents=store.read("incidents"),
        weights=weights,
        seed=seed,
    )
    write_proposal(proposal, out)
    lang_ = settings.language
    typer.echo(proposal.figures_table("proposed", lang_).to_string(index=False))
    typer.echo(proposal.summary_table(lang_).round(3).to_string())
    typer.echo(str(out))
    cli_audit(store, "export", object=f"beats proposal station {station} -> {out.name}")


# --- end of beats block ---------------------------------------------------------------------


def main() -> None:
    """Entry point of the ``beatmap`` console script."""
    from geo import store as store_module

    # only `beatmap demo` creates a database; a mistyped path is refused, not made empty
    creates, store_module.CREATE_MISSING = store_module.CREATE_MISSING, False
    try:
        app(standalone_mode=False)
    except ValidationError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise SystemExit(2) from None
    except BeatMapError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise SystemExit(2) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except Exception as exc:  # click usage errors come through here in standalone_mode=False
        import click

        # typer parses options with its own copy of click: both kinds are usage errors
        usage = (click.ClickException, typer.TyperException)
        if isinstance(exc, usage) and hasattr(exc, "show"):
            exc.show()
            raise SystemExit(getattr(exc, "exit_code", 2)) from None
        friendly = store_module.store_error(exc)  # a database that is corrupt, full, down...
        if friendly is not None:
            typer.secho(f"error: {friendly}", err=True, fg=typer.colors.RED)
            raise SystemExit(2) from None
        raise
    finally:
        store_module.CREATE_MISSING = creates


if __name__ == "__main__":
    main()
