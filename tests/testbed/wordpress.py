"""WordPress from Debian's packages: a private MariaDB on a socket, Apache with mod_php on
loopback ports, three sites: block theme twentytwentythree, classic theme twentytwentyone, and
`wp-live`, a second classic one that recrawl tests change (`mutate`) while others read."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.testbed.procs import Unavailable, ensure_apt, free_port, run, stop_recorded, wait_http

PACKAGES = [
    "wordpress",
    "wordpress-theme-twentytwentyone",
    "wordpress-theme-twentytwentytwo",  # switched to by the settings matrix
    "wordpress-theme-twentytwentythree",
    "mariadb-server",
    "apache2",
    "libapache2-mod-php",
    "php-mysql",
    "php-xml",  # WordPress's own sitemaps need XMLWriter
    "php-gd",  # the image sizes WordPress makes of each upload (srcset)
]
REQUIRED_FILES = [
    "/usr/share/wordpress/wp-load.php",
    "/usr/share/wordpress/wp-content/themes/twentytwentyone/style.css",
    "/usr/share/wordpress/wp-content/themes/twentytwentytwo/style.css",
    "/usr/share/wordpress/wp-content/themes/twentytwentythree/style.css",
]
# PHP extensions WordPress needs here: mysqli for MariaDB, XMLWriter for its sitemaps, GD
# for the sizes of uploaded images.
PHP_PROBE = [
    "php",
    "-r",
    "exit(function_exists('mysqli_connect') && class_exists('XMLWriter')"
    " && function_exists('imagecreatefromjpeg') ? 0 : 1);",
]
UPLOADS = Path("/var/lib/wordpress/wp-content/uploads")
THEMES = {
    "wp-block": "twentytwentythree",
    "wp-classic": "twentytwentyone",
    "wp-live": "twentytwentyone",
}
HERE = Path(__file__).parent
# WordPress's configuration and uploads live in system folders shared by every checkout on
# the machine: each checkout's test bed names its sites apart, so two can run at once.
CONFIG_PREFIX = f"blogarchive-testbed-{hashlib.sha1(str(HERE.resolve()).encode()).hexdigest()[:6]}-"
APACHE_MODULES = ["mpm_prefork", "authz_core", "dir", "mime", "rewrite", "env", "alias", "setenvif"]


def _php_module() -> Path:
    found = sorted(Path("/usr/lib/apache2/modules").glob("libphp*.so"))
    if not found:
        raise Unavailable("mod_php is not installed (libapache2-mod-php)")
    return found[-1]


def start_mariadb(state: Path) -> Path:
    """A private MariaDB listening only on a socket in the state folder."""
    data, sock = state / "mysql", state / "mysql.sock"
    if not (data / "mysql").exists():
        data.mkdir(parents=True, exist_ok=True)
        run(
            [
                "mariadb-install-db",
                f"--datadir={data}",
                "--user=root",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ]
        )
    log = open(state / "mysql.log", "ab")  # noqa: SIM115 - the server keeps it open
    proc = subprocess.Popen(
        [
            "mariadbd",
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={sock}",
            "--user=root",
            "--skip-networking",
            f"--pid-file={state / 'mysql.pid'}",
            "--innodb-buffer-pool-size=64M",
            "--skip-log-bin",
        ],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    (state / "pids").mkdir(exist_ok=True)
    (state / "pids" / "mariadb").write_text(str(proc.pid))
    deadline = time.monotonic() + 60
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"MariaDB did not start; see {state / 'mysql.log'}")
        time.sleep(0.2)
    return sock


def _sql(sock: Path, statement: str) -> None:
    run(["mariadb", f"--socket={sock}", "-uroot", "-e", statement])


def write_wp_config(name: str, db: str, sock: Path) -> None:
    Path("/etc/wordpress").mkdir(exist_ok=True)
    Path(f"/etc/wordpress/config-{CONFIG_PREFIX}{name}.php").write_text(
        f"""<?php
define('DB_NAME', '{db}');
define('DB_USER', 'testbed');
define('DB_PASSWORD', 'testbed-pass');
define('DB_HOST', 'localhost:{sock}');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
$table_prefix = 'wp_';
"""
    )


def apache_conf(state: Path, sites: dict[str, int]) -> Path:
    modules = "\n".join(
        f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in APACHE_MODULES
    )
    vhosts = "\n".join(
        f"""Listen 127.0.0.1:{port}
<VirtualHost 127.0.0.1:{port}>
    DocumentRoot /usr/share/wordpress
    SetEnv WORDPRESS_CONFIG {CONFIG_PREFIX}{name}
    Alias /wp-content /var/lib/wordpress/wp-content
    <Directory /usr/share/wordpress>
        Options FollowSymLinks
        AllowOverride None
        Require all granted
        RewriteEngine On
        RewriteBase /
        RewriteRule ^index\\.php$ - [L]
        RewriteCond %{{REQUEST_FILENAME}} !-f
        RewriteCond %{{REQUEST_FILENAME}} !-d
        RewriteRule . /index.php [L]
    </Directory>
    <Directory /var/lib/wordpress/wp-content>
        Options FollowSymLinks
        Require all granted
    </Directory>
</VirtualHost>"""
        for name, port in sites.items()
    )
    conf = state / "apache.conf"
    conf.write_text(
        f"""ServerRoot /etc/apache2
{modules}
LoadModule php_module {_php_module()}
DefaultRuntimeDir {state}
PidFile {state / "apache.pid"}
ErrorLog {state / "apache-error.log"}
LogFormat "%h %t \\"%r\\" %>s %b" short
CustomLog {state / "apache-access.log"} short
Mutex file:{state}
User www-data
Group www-data
ServerName 127.0.0.1
TypesConfig /etc/mime.types
DirectoryIndex index.php index.html
StartServers 2
MaxRequestWorkers 8
<FilesMatch \\.php$>
    SetHandler application/x-httpd-php
</FilesMatch>
{vhosts}
"""
    )
    return conf


def up(state: Path, corpus_file: Path) -> dict[str, dict[str, object]]:
    """Install if needed, start MariaDB and Apache, populate both sites; returns their facts."""
    ensure_apt(
        PACKAGES, check=["mariadbd", "apache2", "php"], files=REQUIRED_FILES, probe=PHP_PROBE
    )
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)  # Apache's www-data user must reach the MariaDB socket
    sock = start_mariadb(state)
    ports = {name: free_port() for name in THEMES}
    for name in THEMES:
        db = f"testbed_{name.replace('-', '_')}"
        _sql(
            sock,
            f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db} CHARACTER SET utf8mb4;"
            f" CREATE USER IF NOT EXISTS 'testbed'@'localhost' IDENTIFIED BY 'testbed-pass';"
            f" GRANT ALL ON {db}.* TO 'testbed'@'localhost';",
        )
        write_wp_config(name, db, sock)
        shutil.rmtree(UPLOADS / f"{CONFIG_PREFIX}{name}", ignore_errors=True)  # a fresh library
    sites: dict[str, dict[str, object]] = {}
    for name, theme in THEMES.items():
        url = f"http://127.0.0.1:{ports[name]}/"
        out = state / f"{name}-ids.json"
        out.unlink(missing_ok=True)
        said = ""
        # WordPress answers a database it cannot reach yet (a MariaDB just installed and
        # started) with an error page and exit code 0: no ids file. Try again a few times.
        for attempt in range(4):
            if attempt:
                time.sleep(2 * attempt)
            for phase in ("1", "2"):  # term links resolve only in a fresh process: two runs
                said = run(
                    [
                        "php",
                        str(HERE / "wp_populate.php"),
                        f"{CONFIG_PREFIX}{name}",
                        f"127.0.0.1:{ports[name]}",
                        url.rstrip("/"),
                        theme,
                        str(corpus_file),
                        str(out),
                        phase,
                    ]
                )
            if out.exists():
                break
        else:
            raise RuntimeError(f"wp_populate.php wrote no {out.name}; it said: {said[-2000:]}")
        sites[name] = {
            "url": url,
            "engine": "wordpress",
            "theme": theme,
            "ids": json.loads(out.read_text(encoding="utf-8")),
        }
    conf = apache_conf(state, ports)
    run(["apache2", "-f", str(conf), "-k", "start"])
    for site in sites.values():
        wait_http(str(site["url"]))
    return sites


def mutate(url: str, action: str, arg: str = "") -> dict[str, object]:
    """Change the `wp-live` site at `url` (see wp_mutate.php); returns what the script says."""
    script = str(HERE / "wp_mutate.php")
    out = run(["php", script, f"{CONFIG_PREFIX}wp-live", url.split("/")[2], url, action, arg])
    return json.loads(out)  # type: ignore[no-any-return]


def export_wxr(name: str, url: str, out: Path) -> Path:
    """WordPress's own export (core's export_wp(), Tools → Export) of test-bed site `name`."""
    run(
        [
            "php",
            str(HERE / "wp_export.php"),
            f"{CONFIG_PREFIX}{name}",
            url.split("/")[2],
            url,
            str(out),
        ]
    )
    return out


def down(state: Path) -> None:
    conf = state / "apache.conf"
    if (state / "apache.pid").exists() and conf.exists():
        subprocess.run(["apache2", "-f", str(conf), "-k", "stop"], capture_output=True)
        deadline = time.monotonic() + 10
        while (state / "apache.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    stop_recorded(state)
    for name in THEMES:
        Path(f"/etc/wordpress/config-{CONFIG_PREFIX}{name}.php").unlink(missing_ok=True)
    shutil.rmtree(state / "mysql", ignore_errors=True)
