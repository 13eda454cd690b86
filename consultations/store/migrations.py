"""The schema as numbered migrations: one list for every backend.

Each runs once, in order, in one transaction, and is recorded in ``schema_version``.
Never edit a released migration; add the next number.
"""

from __future__ import annotations

from collections.abc import Sequence

# Numbered migrations: each runs once, in order, in one transaction, and is recorded in
# schema_version. Never edit a released migration; add the next number.
MIGRATIONS: dict[int, Sequence[str]] = {
    1: (
        """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
        """CREATE TABLE consultations (
            id VARCHAR PRIMARY KEY,
            title VARCHAR NOT NULL,
            summary VARCHAR NOT NULL,
            body VARCHAR NOT NULL,
            plan_type VARCHAR NOT NULL,
            plan_id VARCHAR NOT NULL,
            stage VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            opens_at TIMESTAMP NOT NULL,
            closes_at TIMESTAMP NOT NULL,
            area_geojson VARCHAR NOT NULL,
            categories VARCHAR[] NOT NULL,
            moderation VARCHAR NOT NULL,
            contact VARCHAR NOT NULL,
            is_demo BOOLEAN NOT NULL,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE SEQUENCE input_id_seq START 1""",
        """CREATE TABLE inputs (
            id INTEGER PRIMARY KEY DEFAULT nextval('input_id_seq'),
            consultation_id VARCHAR NOT NULL,
            category VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            lat DOUBLE,
            lon DOUBLE,
            east DOUBLE,
            north DOUBLE,
            age_group VARCHAR,
            relation VARCHAR,
            channel VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            session_hash VARCHAR,
            submission_token VARCHAR UNIQUE,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE INDEX inputs_by_consultation ON inputs (consultation_id)""",
        """CREATE TABLE supports (
            input_id INTEGER NOT NULL,
            session_hash VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            PRIMARY KEY (input_id, session_hash)
        )""",
    ),
    2: (
        # staff work: questions, documents, users, audit log, inputs from other channels
        # (DuckDB refuses ADD COLUMN … NOT NULL on an indexed table: defaults, no constraint)
        """ALTER TABLE consultations ADD COLUMN questions VARCHAR DEFAULT '[]'""",
        """ALTER TABLE inputs ADD COLUMN answers VARCHAR DEFAULT '{}'""",
        """ALTER TABLE inputs ADD COLUMN sender_type VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN sender_name VARCHAR""",
        """CREATE SEQUENCE user_id_seq START 1""",
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY DEFAULT nextval('user_id_seq'),
            username VARCHAR NOT NULL UNIQUE,
            email VARCHAR UNIQUE,
            role VARCHAR NOT NULL,
            password_hash VARCHAR,
            active BOOLEAN NOT NULL,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE SEQUENCE audit_id_seq START 1""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY DEFAULT nextval('audit_id_seq'),
            occurred_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            object_type VARCHAR NOT NULL,
            object_id VARCHAR NOT NULL,
            before VARCHAR,
            after VARCHAR
        )""",
        """CREATE SEQUENCE document_id_seq START 1""",
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY DEFAULT nextval('document_id_seq'),
            consultation_id VARCHAR NOT NULL,
            filename VARCHAR NOT NULL,
            content BLOB NOT NULL,
            uploaded_at TIMESTAMP NOT NULL
        )""",
    ),
    3: (
        # planners' work: moderation reasons, duplicates, themes, merknadsbehandling
        """ALTER TABLE inputs ADD COLUMN hidden_reason VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN duplicate_of INTEGER""",
        """ALTER TABLE consultations ADD COLUMN responses_published BOOLEAN DEFAULT false""",
        """CREATE TABLE input_themes (
            input_id INTEGER NOT NULL,
            theme VARCHAR NOT NULL,
            PRIMARY KEY (input_id, theme)
        )""",
        """CREATE TABLE responses (
            input_id INTEGER PRIMARY KEY,
            summary VARCHAR NOT NULL,
            assessment VARCHAR NOT NULL,
            outcome VARCHAR NOT NULL,
            plan_change VARCHAR NOT NULL,
            author VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL
        )""",
    ),
    4: (
        # a salted hash of the sender's network address: rate limits and repeated texts
        """ALTER TABLE inputs ADD COLUMN address_hash VARCHAR""",
    ),
    5: (
        # a consultation's title, summary and body in other languages
        """ALTER TABLE consultations ADD COLUMN translations VARCHAR DEFAULT '{}'""",
    ),
    6: (
        # the hashing key leaves the database (keys.py): whoever holds the file must not be
        # able to recompute the hashes of every address
        """DELETE FROM meta WHERE key = 'session_salt'""",
        # one support per input per network address per day, whatever the browser session
        """ALTER TABLE supports ADD COLUMN address_hash VARCHAR""",
        """ALTER TABLE supports ADD COLUMN day DATE""",
        """CREATE UNIQUE INDEX supports_once_per_address_day
           ON supports (input_id, address_hash, day)""",
    ),
    7: (
        # staff logins: back-off counters per (scope, key), server-side login records, and
        # the OIDC account (issuer + subject) a users row is bound to
        """CREATE TABLE login_failures (
            scope VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            failures INTEGER NOT NULL,
            last_at TIMESTAMP NOT NULL,
            audit_id INTEGER,
            PRIMARY KEY (scope, key)
        )""",
        """CREATE TABLE staff_sessions (
            token_hash VARCHAR PRIMARY KEY,
            user_id INTEGER NOT NULL,
            started_at TIMESTAMP NOT NULL,
            seen_at TIMESTAMP NOT NULL,
            ended_at TIMESTAMP
        )""",
        """ALTER TABLE users ADD COLUMN oidc_issuer VARCHAR""",
        """ALTER TABLE users ADD COLUMN oidc_subject VARCHAR""",
    ),
    8: (
        # the formal høring: arkivsak and kunngjøring
        """ALTER TABLE consultations ADD COLUMN case_number VARCHAR DEFAULT ''""",
        """ALTER TABLE consultations ADD COLUMN announced_on DATE""",
        """ALTER TABLE consultations ADD COLUMN announced_where VARCHAR DEFAULT ''""",
    ),
    9: (
        # identified merknader in a formal høring: where to notify the sender (never public),
        # and the files residents send with a merknad (checked and cleaned, attachments.py)
        """ALTER TABLE inputs ADD COLUMN sender_address VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN sender_property VARCHAR""",
        """CREATE SEQUENCE attachment_id_seq START 1""",
        """CREATE TABLE input_attachments (
            id INTEGER PRIMARY KEY DEFAULT nextval('attachment_id_seq'),
            input_id INTEGER NOT NULL,
            filename VARCHAR NOT NULL,
            media_type VARCHAR NOT NULL,
            content BLOB NOT NULL,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE INDEX attachments_by_input ON input_attachments (input_id)""",
    ),
    10: (
        # the kontaktperson as fields (the old free text becomes the name), the
        # forslagsstiller of a private plan, and what each document is
        """ALTER TABLE consultations ADD COLUMN contact_name VARCHAR DEFAULT ''""",
        """ALTER TABLE consultations ADD COLUMN contact_role VARCHAR DEFAULT ''""",
        """ALTER TABLE consultations ADD COLUMN contact_email VARCHAR DEFAULT ''""",
        """ALTER TABLE consultations ADD COLUMN contact_phone VARCHAR DEFAULT ''""",
        """UPDATE consultations SET contact_name = contact""",
        """ALTER TABLE consultations DROP COLUMN contact""",
        """ALTER TABLE consultations ADD COLUMN proposer_name VARCHAR DEFAULT ''""",
        """ALTER TABLE consultations ADD COLUMN proposer_consultant VARCHAR DEFAULT ''""",
        """ALTER TABLE consultations ADD COLUMN proposer_recipient VARCHAR DEFAULT 'kommunen'""",
        """ALTER TABLE consultations ADD COLUMN proposer_address VARCHAR DEFAULT ''""",
        """ALTER TABLE documents ADD COLUMN kind VARCHAR DEFAULT 'annet'""",
    ),
    11: (
        # parties and authorities: an authority's merknad as innsigelse or faglig råd (with
        # the innsigelse's own status), and the høringsinstanser each høring was sent to
        """ALTER TABLE inputs ADD COLUMN objection VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN objection_status VARCHAR""",
        """CREATE SEQUENCE hearing_party_id_seq START 1""",
        """CREATE TABLE hearing_parties (
            id INTEGER PRIMARY KEY DEFAULT nextval('hearing_party_id_seq'),
            consultation_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            sender_type VARCHAR NOT NULL,
            sent_on DATE,
            frist TIMESTAMP,
            input_id INTEGER,
            created_at TIMESTAMP NOT NULL,
            UNIQUE (consultation_id, name)
        )""",
    ),
    12: (
        # how the municipality will use what residents said: staff write it for the
        # medvirkningsrapport of an early-phase consultation
        """ALTER TABLE consultations ADD COLUMN use_of_input VARCHAR DEFAULT ''""",
    ),
    13: (
        # Fiks Arkiv: when a merknad was first sent to the archive, the journalpost the
        # archive's kvittering gave it, and when the app's copy was anonymised instead of
        # deleted (an archived merknad is kept under arkivlova)
        """ALTER TABLE inputs ADD COLUMN archived_at TIMESTAMP""",
        """ALTER TABLE inputs ADD COLUMN journal_year INTEGER""",
        """ALTER TABLE inputs ADD COLUMN journal_sequence INTEGER""",
        """ALTER TABLE inputs ADD COLUMN journalpost_number INTEGER""",
        """ALTER TABLE inputs ADD COLUMN anonymised_at TIMESTAMP""",
    ),
    14: (
        # an input a planner marks as not a merknad at all (spam, test, double registration),
        # with the reason: the only inputs left out of the merknadsbehandling
        """ALTER TABLE inputs ADD COLUMN not_merknad VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN not_merknad_note VARCHAR""",
    ),
    15: (
        # the browser a staff login is bound to: the SHA-256 of its signed cookie
        # (browser.py); older login records have none and are ended on their next use
        """ALTER TABLE staff_sessions ADD COLUMN browser_hash VARCHAR""",
    ),
    16: (
        # the municipality's address register (Kartverket's «Adresser»), replaced whole by
        # each import-addresses: the resident's place search finds an address or gnr/bnr
        """CREATE TABLE addresses (
            text VARCHAR NOT NULL,
            postcode VARCHAR NOT NULL,
            place VARCHAR NOT NULL,
            gnr INTEGER,
            bnr INTEGER,
            lat DOUBLE NOT NULL,
            lon DOUBLE NOT NULL,
            east DOUBLE NOT NULL,
            north DOUBLE NOT NULL,
            key VARCHAR NOT NULL
        )""",
    ),
    17: (
        # photos residents send with an input (attachments.check_photos): kept with the
        # attachments, a photo is the row with the resident's alt text and a thumbnail
        """ALTER TABLE input_attachments ADD COLUMN alt_text VARCHAR""",
        """ALTER TABLE input_attachments ADD COLUMN thumbnail BLOB""",
    ),
    18: (
        # routes and areas residents draw (geo.read_drawing): what staff allow per
        # consultation (a JSON list of model.Shape; NULL: a pin only), and per input the
        # drawn geometry as GeoJSON (WGS84) with its length (m) or area (m²); lat/lon and
        # east/north then hold a point on the line or inside the area
        """ALTER TABLE consultations ADD COLUMN shapes VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN drawing VARCHAR""",
        """ALTER TABLE inputs ADD COLUMN measure DOUBLE""",
    ),
    19: (
        # layers staff put on a consultation's map under the pins (context_layers.py): a WMS
        # layer from the municipality's map server, or features read from a GeoJSON or
        # GeoPackage file and kept as GeoJSON in WGS84; never edited, only added or removed
        """CREATE SEQUENCE context_layer_id_seq START 1""",
        """CREATE TABLE context_layers (
            id INTEGER PRIMARY KEY DEFAULT nextval('context_layer_id_seq'),
            consultation_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            legend VARCHAR NOT NULL,
            attribution VARCHAR NOT NULL,
            wms_url VARCHAR NOT NULL,
            wms_layers VARCHAR NOT NULL,
            geojson VARCHAR NOT NULL,
            points INTEGER NOT NULL,
            lines INTEGER NOT NULL,
            areas INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL
        )""",
    ),
    20: (
        # school classes (barnetråkk, classes.py): a class session reached by its code, and
        # per pupil input (an ordinary input: a route is a drawing, a place a pin) what part
        # of the class's work it is, the transport mode of a route and the label of a place
        """CREATE SEQUENCE class_session_id_seq START 1""",
        """CREATE TABLE class_sessions (
            id INTEGER PRIMARY KEY DEFAULT nextval('class_session_id_seq'),
            code VARCHAR NOT NULL UNIQUE,
            consultation_id VARCHAR NOT NULL,
            school VARCHAR NOT NULL,
            grade VARCHAR NOT NULL,
            size INTEGER NOT NULL,
            lang VARCHAR NOT NULL,
            opens_at TIMESTAMP NOT NULL,
            closes_at TIMESTAMP NOT NULL,
            teacher_id INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL,
            closed_at TIMESTAMP,
            published_at TIMESTAMP
        )""",
        """CREATE TABLE class_inputs (
            input_id INTEGER PRIMARY KEY,
            class_id INTEGER NOT NULL,
            part VARCHAR NOT NULL,
            transport VARCHAR,
            label VARCHAR
        )""",
        """CREATE INDEX class_inputs_by_class ON class_inputs (class_id)""",
    ),
    21: (
        # merknadspunkter (points.py): a merknad split into the points the merknadsbehandling
        # assesses, each with its own kind (an innsigelse or a faglig råd is per point), answer
        # and § 12-14 flag; a felles vurdering is a group of points. A merknad with no rows
        # here is one point read from its responses row and inputs.objection.
        """CREATE SEQUENCE point_group_seq START 1""",
        """CREATE TABLE merknad_points (
            input_id INTEGER NOT NULL,
            letter VARCHAR NOT NULL,
            summary VARCHAR NOT NULL,
            theme VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            objection_status VARCHAR,
            settled_on DATE,
            settled_reference VARCHAR NOT NULL,
            settled_note VARCHAR NOT NULL,
            assessment VARCHAR NOT NULL,
            outcome VARCHAR,
            plan_change VARCHAR NOT NULL,
            new_hearing BOOLEAN NOT NULL,
            group_id INTEGER,
            author VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            PRIMARY KEY (input_id, letter)
        )""",
        # every move of an innsigelse's status with its evidence, for the report
        """CREATE SEQUENCE status_change_id_seq START 1""",
        """CREATE TABLE innsigelse_status_changes (
            id INTEGER PRIMARY KEY DEFAULT nextval('status_change_id_seq'),
            input_id INTEGER NOT NULL,
            letter VARCHAR NOT NULL,
            status_before VARCHAR,
            status_after VARCHAR NOT NULL,
            settled_on DATE NOT NULL,
            reference VARCHAR NOT NULL,
            note VARCHAR NOT NULL,
            actor VARCHAR NOT NULL,
            occurred_at TIMESTAMP NOT NULL
        )""",
    ),
    22: (
        # mail (consultations/mail.py): the outbox, written in the transaction of the event
        # that causes a mail and emptied by the sender (mail_sender.py), each row sent at
        # most once; the addresses that asked to hear more (a resident following an input
        # or a consultation, a letter's sender awaiting the vedtak, a kontaktperson's
        # digest), confirmed by a link before anything but a receipt goes to them; and the
        # vedtak staff register, whose notice goes to the varslingsliste
        """CREATE SEQUENCE mail_id_seq START 1""",
        """CREATE TABLE mail_outbox (
            id INTEGER PRIMARY KEY DEFAULT nextval('mail_id_seq'),
            consultation_id VARCHAR,
            input_id INTEGER,
            kind VARCHAR NOT NULL,
            recipient VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            body_text VARCHAR NOT NULL,
            body_html VARCHAR NOT NULL,
            unsubscribe_token VARCHAR,
            message_key VARCHAR NOT NULL UNIQUE,
            message_id VARCHAR,
            status VARCHAR NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at TIMESTAMP NOT NULL,
            claimed_at TIMESTAMP,
            sent_at TIMESTAMP,
            last_error VARCHAR,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)""",
        """CREATE SEQUENCE mail_follow_id_seq START 1""",
        """CREATE TABLE mail_follows (
            id INTEGER PRIMARY KEY DEFAULT nextval('mail_follow_id_seq'),
            token VARCHAR NOT NULL UNIQUE,
            consultation_id VARCHAR NOT NULL,
            input_id INTEGER,
            kind VARCHAR NOT NULL,
            email VARCHAR NOT NULL,
            lang VARCHAR NOT NULL,
            confirmed_at TIMESTAMP,
            unsubscribed_at TIMESTAMP,
            last_sent_at TIMESTAMP,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE INDEX mail_follows_by_consultation ON mail_follows (consultation_id)""",
        """CREATE TABLE vedtak (
            consultation_id VARCHAR PRIMARY KEY,
            body VARCHAR NOT NULL,
            decided_on DATE NOT NULL,
            case_number VARCHAR NOT NULL,
            link VARCHAR NOT NULL,
            appeal_by DATE NOT NULL,
            registered_by VARCHAR NOT NULL,
            registered_at TIMESTAMP NOT NULL
        )""",
    ),
    23: (
        # medvirkningsrapport (#27): the planners' «hørte → gjør» follow-up per theme
        # (feedback.py) and whether residents see it; how the medvirkning was run
        # (activities.py); and the Barnetråkk details of a pupil's registration
        # (barnetrakk.py): season, company, wished travel mode, why a place is avoided
        """CREATE TABLE feedback_rows (
            consultation_id VARCHAR NOT NULL,
            theme VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            follow_up VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            author VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            PRIMARY KEY (consultation_id, theme)
        )""",
        """CREATE TABLE feedback_publication (
            consultation_id VARCHAR PRIMARY KEY,
            published_at TIMESTAMP NOT NULL
        )""",
        """CREATE SEQUENCE medvirkning_activity_id_seq START 1""",
        """CREATE TABLE medvirkning_activities (
            id INTEGER PRIMARY KEY DEFAULT nextval('medvirkning_activity_id_seq'),
            consultation_id VARCHAR NOT NULL,
            held_on DATE NOT NULL,
            place VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            attended INTEGER,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE TABLE class_input_details (
            input_id INTEGER PRIMARY KEY,
            season VARCHAR,
            company VARCHAR,
            wished VARCHAR,
            reason VARCHAR
        )""",
    ),
    25: (
        # a receipt's own address (receipt.py): the SHA-256 of an unguessable token per web
        # input, so the receipt opens on any device from the link the resident keeps
        """CREATE TABLE receipt_tokens (
            token_hash VARCHAR PRIMARY KEY,
            input_id INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL
        )""",
        """CREATE INDEX receipt_tokens_by_input ON receipt_tokens (input_id)""",
    ),
    27: (
        # a registered letter's own facts (casefile.py): the journalpost postmottak already
        # gave it (no second journalpost in the archive package), which attachment is the
        # original letter (the hoveddokument), and whether an innsigelse letter also holds a
        # faglig råd
        """CREATE TABLE input_letters (
            input_id INTEGER PRIMARY KEY,
            journalpost VARCHAR,
            original_attachment_id INTEGER,
            also_advice BOOLEAN NOT NULL
        )""",
        # a consultation's case facts beyond the builder's form: the 1. gangs vedtak, why a
        # formal frist is shorter than the law's six weeks, how many neighbours were notified
        # by letter, and the frist as announced when it moved past a holiday
        """CREATE TABLE consultation_facts (
            consultation_id VARCHAR PRIMARY KEY,
            first_decision_body VARCHAR,
            first_decision_date DATE,
            first_decision_case VARCHAR,
            short_frist_reason VARCHAR,
            neighbours_notified INTEGER,
            announced_frist DATE
        )""",
    ),
    28: (
        # Two rules a check-then-insert under a lock held become keys the database holds
        # (replicas on PostgreSQL take no lock for them). Each key is a table of its own,
        # filled from the rows already there, because DuckDB (2.0) can neither index an
        # expression such as md5(text) nor build an index in the transaction that changed
        # the table: a key on the rows themselves could not be made, nor an old repeat set
        # aside, in one migration. Should an old database hold a repeat, its first row
        # holds the key and nothing is changed or removed; from now on no repeat is stored.
        # No foreign keys: DuckDB refuses any update of an indexed column of a referenced
        # row (anonymising an input clears its unique submission token) and any delete.
        #
        # The same text once per consultation from one network address (inputs.address_hash):
        # the text by its md5, as a merknad may be longer than an index entry can be.
        """CREATE TABLE input_text_keys (
            consultation_id VARCHAR NOT NULL,
            address_hash VARCHAR NOT NULL,
            text_hash VARCHAR NOT NULL,
            input_id INTEGER NOT NULL UNIQUE,
            PRIMARY KEY (consultation_id, address_hash, text_hash)
        )""",
        """INSERT INTO input_text_keys (consultation_id, address_hash, text_hash, input_id)
           SELECT consultation_id, address_hash, md5(text), min(id) FROM inputs
           WHERE address_hash IS NOT NULL GROUP BY consultation_id, address_hash, md5(text)""",
        # a høringsinstans once per consultation, its name in any case (lower(name))
        """CREATE TABLE party_name_keys (
            consultation_id VARCHAR NOT NULL,
            name_key VARCHAR NOT NULL,
            party_id INTEGER NOT NULL UNIQUE,
            PRIMARY KEY (consultation_id, name_key)
        )""",
        """INSERT INTO party_name_keys (consultation_id, name_key, party_id)
           SELECT consultation_id, lower(name), min(id) FROM hearing_parties
           GROUP BY consultation_id, lower(name)""",
    ),
    31: (
        # where a class's school is (classes.place_school): the school marker on the pupils'
        # map, placed by the teacher from the address register, a named place or coordinates
        """CREATE TABLE class_schools (
            class_id INTEGER PRIMARY KEY,
            lat DOUBLE NOT NULL,
            lon DOUBLE NOT NULL,
            label VARCHAR NOT NULL,
            placed_at TIMESTAMP NOT NULL
        )""",
    ),
}
LATEST = max(MIGRATIONS)
SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
)
