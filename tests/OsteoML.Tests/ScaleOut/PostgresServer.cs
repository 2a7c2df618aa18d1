using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.ScaleOut;

/// <summary>
/// A throwaway PostgreSQL 15 (Debian's <c>postgresql-15</c>): <c>initdb</c> into a temp folder with password (SCRAM)
/// authentication and a random password, started with <c>pg_ctl</c> listening on a Unix socket only (no TCP, so nothing
/// outside this machine can reach it), stopped and deleted on dispose. Postgres refuses to run as root, and the tests run
/// as root in CI: then every server command runs as the <c>postgres</c> system user (else <c>nobody</c>) via <c>runuser</c>,
/// with the folder given to that user.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string User = "osteoml";

    private readonly string _data;

    private PostgresServer(string directory, int port, string password)
    {
        SocketDirectory = directory;
        _data = Path.Combine(directory, "data");
        Port = port;
        Password = password;
        PassFile = Path.Combine(TestPaths.NewTempDirectory("pgpass"), ".pgpass");
        File.WriteAllText(PassFile, $"*:*:*:{User}:{password}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(PassFile, UnixFileMode.UserRead | UnixFileMode.UserWrite); // libpq ignores a .pgpass others can read
    }

    /// <summary>The socket's folder: short and directly under /tmp, because a Unix socket path must fit in 107 bytes.</summary>
    public string SocketDirectory { get; }
    public int Port { get; }

    /// <summary>Random per server; the tests check it never appears in anything osteoml prints.</summary>
    public string Password { get; }

    /// <summary>A .pgpass file with the password (for in-process opens, which cannot set PGPASSWORD without affecting parallel tests).</summary>
    public string PassFile { get; }

    public static PostgresServer Start()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
            Assert.Fail($"{BinDirectory}/initdb is missing: install Debian's postgresql-15 (bash .ci/deps).");
        var directory = Path.Combine("/tmp", "ompg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(directory);
        var server = new PostgresServer(directory, FreePort(), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        try
        {
            server.Initialise();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void Initialise()
    {
        var pwfile = Path.Combine(SocketDirectory, "pw");
        File.WriteAllText(pwfile, Password + "\n");
        if (ServerUser is { } user) ExternalTool.Run("chown", ["-R", user, SocketDirectory]).EnsureSuccess("chown");
        AsServerUser(Path.Combine(BinDirectory, "initdb"), "-D", _data, "-U", User, "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale")
            .EnsureSuccess("initdb");
        File.Delete(pwfile);
        // fsync off: a test cluster need not survive a power cut, and it keeps commits cheap on a shared disk.
        AsServerUser(Path.Combine(BinDirectory, "pg_ctl"), "-D", _data, "-l", Path.Combine(SocketDirectory, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses='' -k {SocketDirectory} -p {Port} -c fsync=off -c max_connections=60", "start").EnsureSuccess("pg_ctl start");
    }

    /// <summary>The results location for osteoml (no password: PGPASSWORD or the pass file supply it).</summary>
    public string Url(string database) => $"postgres://{User}@/{database}?host={SocketDirectory}&port={Port}";

    /// <summary>The same as a libpq keyword string naming the pass file (for in-process opens).</summary>
    public string KeywordsWithPassFile(string database) => $"host={SocketDirectory} port={Port} dbname={database} user={User} passfile={PassFile}";

    /// <summary>A direct connection for the tests' own queries.</summary>
    public NpgsqlConnection Connect(string database = "postgres")
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = SocketDirectory, Port = Port, Database = database, Username = User, Password = Password, Pooling = false,
        }.ConnectionString);
        connection.Open();
        return connection;
    }

    public void CreateDatabase(string name)
    {
        using var connection = Connect();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
            AsServerUser(Path.Combine(BinDirectory, "pg_ctl"), "-D", _data, "-m", "immediate", "-w", "stop");
        try { Directory.Delete(SocketDirectory, recursive: true); }
        catch (IOException) { /* a socket file the server still held; /tmp is cleaned by the system */ }
        try { Directory.Delete(Path.GetDirectoryName(PassFile)!, recursive: true); }
        catch (IOException) { /* under the run's scratch folder, deleted at the end anyway */ }
    }

    /// <summary>Root cannot run postgres: the system user to run it as (postgres, else nobody), or null when we are not root.</summary>
    private static string? ServerUser => Environment.UserName != "root" ? null
        : ExternalTool.Run("id", ["-u", "postgres"]).ExitCode == 0 ? "postgres" : "nobody";

    private static ExternalTool.Result AsServerUser(string program, params string[] arguments) =>
        ServerUser is { } user ? ExternalTool.Run("runuser", ["-u", user, "--", program, .. arguments], timeout: TimeSpan.FromMinutes(2))
            : ExternalTool.Run(program, arguments, timeout: TimeSpan.FromMinutes(2));

    private static int FreePort()
    {
        // The port only names the socket file here (no TCP listener), but a free one keeps it unique on this machine.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
