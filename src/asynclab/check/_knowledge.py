"""What the checker knows about Django and the libraries around it: names, not code.

Every table maps a fully qualified name (as imports resolve it) or a method name to what it
means in async code. Keeping the knowledge here, apart from the walk, lets a reader audit it.
"""

from __future__ import annotations

from types import MappingProxyType

# --- the ORM -----------------------------------------------------------------------------

# QuerySet/Manager methods that run a query, each with an async twin ("a" + name).
SYNC_QUERY_METHODS = frozenset({
    "get", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update",
    "count", "in_bulk", "iterator", "aggregate", "exists", "contains", "update", "delete",
    "explain", "first", "last", "latest", "earliest",
})  # fmt: skip
# Related managers (reverse foreign keys, many-to-many) add these, also with async twins.
SYNC_RELATED_METHODS = frozenset({"add", "remove", "clear", "set"})
# Methods that return a new, still lazy, QuerySet.
QUERYSET_METHODS = frozenset({
    "all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "annotate",
    "alias", "values", "values_list", "distinct", "using", "only", "defer", "none", "reverse",
    "extra", "select_for_update", "union", "intersection", "difference", "dates", "datetimes",
    "complex_filter", "raw",
})  # fmt: skip
# Awaited, these give a model instance (aget_or_create and aupdate_or_create: a pair).
ASYNC_INSTANCE_METHODS = frozenset({"aget", "afirst", "alast", "alatest", "aearliest", "acreate"})
ASYNC_PAIR_METHODS = frozenset({"aget_or_create", "aupdate_or_create"})
ASYNC_QUERY_METHODS = frozenset({"a" + name for name in SYNC_QUERY_METHODS}) | frozenset(
    {"a" + name for name in SYNC_RELATED_METHODS}
)
# Model instance methods that run a query (async twins: asave, adelete, arefresh_from_db).
SYNC_INSTANCE_METHODS = frozenset({"save", "delete", "refresh_from_db"})
ASYNC_INSTANCE_ONLY_METHODS = frozenset({"asave", "adelete", "arefresh_from_db"})
MANAGER_ATTRIBUTES = frozenset({"objects", "_default_manager", "_base_manager"})
# Methods of Django's contrib managers that query, with their async twin where Django has one.
CONTRIB_MANAGER_QUERIES = MappingProxyType({
    "create_user": "acreate_user",  # UserManager
    "create_superuser": "acreate_superuser",
    "get_by_natural_key": "aget_by_natural_key",
    "get_current": None,  # Site.objects (cached after the first query per site)
    "get_for_model": None,  # ContentType.objects (likewise)
    "get_for_models": None,
    "get_for_id": None,
})  # fmt: skip
# A user's permission methods read the permission tables (async twins: "a" + name).
USER_PERMISSION_METHODS = frozenset({
    "has_perm", "has_perms", "has_module_perms", "get_all_permissions",
    "get_user_permissions", "get_group_permissions",
})  # fmt: skip

# Base classes that make a class a model.
MODEL_BASES = frozenset({
    "django.db.models.Model",
    "django.db.models.base.Model",
    "django.contrib.auth.models.AbstractUser",
    "django.contrib.auth.models.AbstractBaseUser",
    "django.contrib.auth.base_user.AbstractBaseUser",
    "django.contrib.auth.models.PermissionsMixin",
})  # fmt: skip
# Django's own models a project uses by import, with the relations that load lazily.
DJANGO_MODELS = MappingProxyType(
    {
        "django.contrib.auth.models.User": "User",
        "django.contrib.auth.models.Group": "Group",
        "django.contrib.auth.models.Permission": "Permission",
        "django.contrib.contenttypes.models.ContentType": "ContentType",
        "django.contrib.sites.models.Site": "Site",
        "django.contrib.sessions.models.Session": "Session",
        "django.contrib.flatpages.models.FlatPage": "FlatPage",
        "django.contrib.admin.models.LogEntry": "LogEntry",
    }
)
FOREIGN_KEY_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ParentalKey"})
MANY_FIELDS = frozenset({"ManyToManyField", "ParentalManyToManyField"})
QUERYSET_TYPES = frozenset({"django.db.models.QuerySet", "django.db.models.query.QuerySet"})
REQUEST_TYPES = frozenset({
    "django.http.HttpRequest", "django.http.request.HttpRequest",
    "django.core.handlers.asgi.ASGIRequest", "django.core.handlers.wsgi.WSGIRequest",
})  # fmt: skip

# Sync functions that query, each with an async twin.
SYNC_ORM_FUNCTIONS = MappingProxyType(
    {
        "django.shortcuts.get_object_or_404": "aget_object_or_404",
        "django.shortcuts.get_list_or_404": "aget_list_or_404",
        "django.contrib.auth.authenticate": "aauthenticate",
        "django.contrib.auth.login": "alogin",
        "django.contrib.auth.logout": "alogout",
        "django.contrib.auth.get_user": "aget_user",
        "django.contrib.auth.update_session_auth_hash": "aupdate_session_auth_hash",
    }
)
ASYNC_ORM_FUNCTIONS = frozenset({
    "django.shortcuts.aget_object_or_404", "django.shortcuts.aget_list_or_404",
})  # fmt: skip
# Builtins that evaluate the iterable they are given.
EVALUATING_BUILTINS = frozenset({
    "list", "tuple", "set", "frozenset", "dict", "sorted", "len", "bool", "any", "all", "sum",
    "min", "max", "enumerate", "zip", "next", "iter", "reversed", "repr", "str", "print",
})  # fmt: skip
# Functions that render a context: a QuerySet in it is evaluated by the template, synchronously.
RENDERING_FUNCTIONS = MappingProxyType(
    {
        "django.shortcuts.render": 2,  # the context's positional index
        "django.template.loader.render_to_string": 1,
        # Not TemplateResponse: returned, it is rendered after the view, by Django's async
        # handler, in a thread (await sync_to_async(response.render)()).
    }
)
SYNC_TO_ASYNC = frozenset({
    "asgiref.sync.sync_to_async", "asgiref.sync.SyncToAsync",
    "channels.db.database_sync_to_async",
})  # fmt: skip
GATHER = frozenset({"asyncio.gather"})
# Entered with a sync "with", these open a transaction: queries on the connection.
TRANSACTION_BLOCKS = frozenset({"django.db.transaction.atomic"})
GET_USER_MODEL = "django.contrib.auth.get_user_model"

# --- blocking calls, by fully qualified name ----------------------------------------------

_HTTP_VERBS = (
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "connect",
    "trace",
)  # fmt: skip
_HTTP_MODULES = ("requests", "requests.api", "httpx")
# os.path functions that ask the filesystem (stat, lstat, realpath's readlink): the peers'
# lists (ruff and flake8-async ASYNC240) less the pure string functions (normpath, relpath,
# abspath, expanduser, join, ...), which do no I/O worth a finding.
_PATH_QUERIES = (
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "isjunction", "isdevdrive",
    "realpath", "getsize", "getmtime", "getatime", "getctime", "samefile", "sameopenfile",
)  # fmt: skip
_SPAWNS = ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe")

_blocking_calls = {f"{module}.{verb}": "AL201" for module in _HTTP_MODULES for verb in _HTTP_VERBS}
_blocking_calls.update(
    {
        f"{module}.{name}": "AL203"
        for module in ("os.path", "posixpath", "genericpath", "ntpath")
        for name in _PATH_QUERIES
    }
)
_blocking_calls.update({f"os.{name}": "AL204" for name in _SPAWNS})
_blocking_calls.update({
    "urllib.request.urlopen": "AL201",
    "urllib.request.urlretrieve": "AL201",
    "urllib3.request": "AL201",
    "time.sleep": "AL202",
    "builtins.input": "AL203",  # a read of stdin
    "builtins.open": "AL203",
    "io.open": "AL203",
    "io.open_code": "AL203",
    "codecs.open": "AL203",
    "os.listdir": "AL203",
    "os.scandir": "AL203",
    "os.walk": "AL203",
    "os.remove": "AL203",
    "os.unlink": "AL203",
    "os.rename": "AL203",
    "os.replace": "AL203",
    "os.makedirs": "AL203",
    "os.mkdir": "AL203",
    "os.rmdir": "AL203",
    "os.fdopen": "AL203",
    "os.stat": "AL203",
    "os.lstat": "AL203",
    "os.access": "AL203",
    "os.chmod": "AL203",
    "os.truncate": "AL203",
    "os.utime": "AL203",
    "os.symlink": "AL203",
    "os.readlink": "AL203",
    "shutil.copy": "AL203",
    "shutil.copy2": "AL203",
    "shutil.copyfile": "AL203",
    "shutil.copyfileobj": "AL203",
    "shutil.copytree": "AL203",
    "shutil.move": "AL203",
    "shutil.rmtree": "AL203",
    "glob.glob": "AL203",
    "subprocess.run": "AL204",
    "subprocess.call": "AL204",
    "subprocess.check_call": "AL204",
    "subprocess.check_output": "AL204",
    "subprocess.getoutput": "AL204",
    "subprocess.getstatusoutput": "AL204",
    "subprocess.Popen": "AL204",
    "os.system": "AL204",
    "os.popen": "AL204",
    "os.wait": "AL204",
    "os.wait3": "AL204",
    "os.wait4": "AL204",
    "os.waitid": "AL204",
    "os.waitpid": "AL204",
    "os.posix_spawn": "AL204",
    "os.posix_spawnp": "AL204",
    "os.execv": "AL204",
    "socket.create_connection": "AL205",
    "socket.getaddrinfo": "AL205",
    "socket.gethostbyname": "AL205",
    "socket.gethostbyaddr": "AL205",
    "socket.getnameinfo": "AL205",
    "git.Repo.init": "AL204",
    "git.Repo.clone_from": "AL204",
    "socket.gethostbyname_ex": "AL205",
    "select.select": "AL205",
    "smtplib.SMTP": "AL206",
    "smtplib.SMTP_SSL": "AL206",
    "django.core.mail.send_mail": "AL206",
    "django.core.mail.send_mass_mail": "AL206",
    "django.core.mail.mail_admins": "AL206",
    "django.core.mail.mail_managers": "AL206",
    "psycopg.connect": "AL208",
    "psycopg.Connection.connect": "AL208",
    "psycopg2.connect": "AL208",
    "sqlite3.connect": "AL208",
    "pymysql.connect": "AL208",
    "MySQLdb.connect": "AL208",
    "django.db.connection.cursor": "AL101",
    "django.db.connections.cursor": "AL101",
})  # fmt: skip
BLOCKING_CALLS = MappingProxyType(_blocking_calls)

# Classes whose every method call blocks (instances are tracked through assignments and
# with-statements): requests.Session().get(...), httpx.Client().post(...), ...
BLOCKING_CLASSES = MappingProxyType(
    {
        "requests.Session": "AL201",
        "requests.sessions.Session": "AL201",
        "httpx.Client": "AL201",
        "urllib3.PoolManager": "AL201",
        "urllib3.HTTPConnectionPool": "AL201",
        "urllib3.HTTPSConnectionPool": "AL201",
        "urllib3.ProxyManager": "AL201",
        "urllib3.connectionpool.HTTPConnectionPool": "AL201",
        "urllib3.connectionpool.HTTPSConnectionPool": "AL201",
        "urllib3.poolmanager.PoolManager": "AL201",
        "urllib3.poolmanager.ProxyManager": "AL201",
        "http.client.HTTPConnection": "AL201",
        "http.client.HTTPSConnection": "AL201",
        "socket.socket": "AL205",
        "select.poll": "AL205",  # its poll() waits
        "select.epoll": "AL205",
        "io.file": "AL203",  # what open() gives: its reads and writes go to the disk
        # Sync SDK clients (their Async* twins are the fix): every call is an HTTP round trip.
        "openai.OpenAI": "AL201",
        "openai.AzureOpenAI": "AL201",
        "anthropic.Anthropic": "AL201",
        "google.genai.Client": "AL201",
        "cohere.Client": "AL201",
        "boto3.client": "AL201",
        "git.Repo": "AL204",  # GitPython runs git in a subprocess
        "smtplib.SMTP": "AL206",
        "smtplib.SMTP_SSL": "AL206",
        "django.core.mail.EmailMessage": "AL206",
        "django.core.mail.EmailMultiAlternatives": "AL206",
        "django.core.mail.message.EmailMessage": "AL206",
        "redis.Redis": "AL208",
        "redis.StrictRedis": "AL208",
        "psycopg.Connection": "AL208",
        "psycopg2.extensions.connection": "AL208",
        "sqlite3.Connection": "AL208",
        "pymysql.connections.Connection": "AL208",
        "dbapi.cursor": "AL208",  # a cursor of one of those connections
    }
)
# Clients whose calls go through sub-objects (client.chat.completions.create): an attribute
# of one is the same client to the walk.
NESTED_CLIENTS = frozenset({
    "openai.OpenAI", "openai.AzureOpenAI", "anthropic.Anthropic", "google.genai.Client",
    "cohere.Client", "git.Repo",
})  # fmt: skip
# Classes of which only some methods do I/O (the others build requests or read state).
BLOCKING_METHODS = MappingProxyType({
    "httpx.Client": frozenset({
        "close", "delete", "get", "head", "options", "patch", "post", "put", "request", "send",
        "stream",
    }),
})  # fmt: skip
DB_CONNECTIONS = frozenset({
    "psycopg.Connection", "psycopg2.extensions.connection", "sqlite3.Connection",
    "pymysql.connections.Connection",
})  # fmt: skip
# Methods of those classes that do no I/O (building a message, setting headers).
NON_BLOCKING_METHODS = frozenset({
    "attach", "attach_alternative", "message", "recipients", "mount", "close", "__enter__",
    "prepare_request", "headers", "set_debuglevel", "setsockopt", "setblocking", "settimeout",
    "fileno", "getsockname", "getpeername", "pipeline", "cursor", "bind", "listen",
    "build_request", "register", "unregister", "modify", "readable", "writable", "seekable",
    "isatty",
})  # fmt: skip
# What the walk knows a file object by (open(), Path.open(), and annotations).
FILE_TYPES = frozenset({
    "io.TextIOWrapper", "io.BufferedReader", "io.BufferedWriter", "io.BufferedRandom",
    "io.FileIO", "typing.IO", "typing.TextIO", "typing.BinaryIO",
})  # fmt: skip
FILE_FACTORIES = frozenset({"builtins.open", "io.open", "codecs.open", "os.fdopen"})
# pathlib.Path methods that touch the disk.
PATH_IO_METHODS = frozenset({
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_file",
    "is_dir", "stat", "mkdir", "unlink", "rmdir", "rename", "replace", "touch", "iterdir",
    "glob", "rglob", "resolve", "chmod", "lstat", "samefile", "readlink", "symlink_to",
    "is_symlink", "is_mount", "is_socket", "is_fifo", "is_block_device", "is_char_device",
    "owner", "group", "hardlink_to", "walk", "lchmod", "copy", "move",
})  # fmt: skip
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"})
# pathlib.Path methods that give another Path (the walk follows chains through them).
PATH_RETURNING_METHODS = frozenset({
    "joinpath", "with_name", "with_stem", "with_suffix", "absolute", "resolve", "expanduser",
    "relative_to", "with_segments",
})  # fmt: skip

# The cache: django.core.cache.cache and caches[...] are BaseCache instances.
CACHE_OBJECTS = frozenset({"django.core.cache.cache", "django.core.cache.caches"})
SYNC_CACHE_METHODS = frozenset({
    "get", "set", "add", "delete", "get_many", "set_many", "delete_many", "get_or_set",
    "incr", "decr", "touch", "has_key", "clear", "incr_version", "decr_version",
})  # fmt: skip

# --- CPU-heavy calls ---------------------------------------------------------------------

CPU_HEAVY_CALLS = frozenset({
    "django.contrib.auth.hashers.make_password",
    "django.contrib.auth.hashers.check_password",
    "hashlib.pbkdf2_hmac",
    "hashlib.scrypt",
    "bcrypt.hashpw",
    "bcrypt.checkpw",
    "bcrypt.kdf",
    "bcrypt.gensalt",
    "argon2.PasswordHasher.hash",
    "argon2.PasswordHasher.verify",
    "PIL.ImageOps.fit",
    "PIL.ImageOps.exif_transpose",
    "bz2.compress",
    "bz2.decompress",
    "lzma.compress",
    "lzma.decompress",
})  # fmt: skip
# Heavy only when done over and over: JSON and zlib/gzip, inside a loop.
CPU_HEAVY_IN_LOOP = frozenset({
    "json.dumps", "json.loads", "json.dump", "json.load",
    "zlib.compress", "zlib.decompress", "gzip.compress", "gzip.decompress",
    "pickle.dumps", "pickle.loads",
})  # fmt: skip
# Methods whose names say password hashing whatever the receiver (User.set_password, ...).
CPU_HEAVY_METHODS = frozenset({"set_password", "check_password"})
# Methods of a PIL image that process pixels.
IMAGE_METHODS = frozenset({
    "resize", "thumbnail", "rotate", "transpose", "convert", "filter", "quantize", "reduce",
})  # fmt: skip
IMAGE_CLASSES = frozenset({"PIL.Image.Image"})
IMAGE_RETURNING_METHODS = (IMAGE_METHODS - {"thumbnail"}) | {"copy", "crop"}
IMAGE_FACTORIES = frozenset({"PIL.Image.open", "PIL.Image.new", "PIL.Image.frombytes"})
