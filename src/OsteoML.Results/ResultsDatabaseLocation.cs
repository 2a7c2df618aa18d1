using System.Globalization;
using Npgsql;

namespace OsteoML.Results;

/// <summary>
/// Where the results database is, from a URL (<c>postgres://user@host:port/db?sslmode=require</c>;
/// <c>postgres:///db?host=/run/postgresql&amp;port=5432</c> for a Unix socket folder) or a libpq keyword string
/// (<c>host=/run/postgresql port=5432 dbname=osteoml user=osteoml</c>). The password is never part of it: it comes from
/// <c>PGPASSWORD</c> or a <c>.pgpass</c> file (<c>PGPASSFILE</c>, else <c>~/.pgpass</c>), which Npgsql reads itself, so it is
/// never on a command line (visible to every user in the process list) nor in anything we print.
/// </summary>
public sealed class ResultsDatabaseLocation
{
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Host", ["hostaddr"] = "Host", ["port"] = "Port", ["dbname"] = "Database", ["user"] = "Username",
        ["sslmode"] = "SSL Mode", ["application_name"] = "Application Name", ["connect_timeout"] = "Timeout",
        ["passfile"] = "Passfile", ["target_session_attrs"] = "Target Session Attributes", ["options"] = "Options",
    };

    private ResultsDatabaseLocation(NpgsqlConnectionStringBuilder builder)
    {
        builder.ApplicationName ??= "osteoml";
        ConnectionString = builder.ConnectionString;
        var host = builder.Host ?? Environment.GetEnvironmentVariable("PGHOST") ?? "localhost";
        Display = string.Create(CultureInfo.InvariantCulture,
            $"postgres://{(builder.Username is { } user ? user + "@" : "")}{(host.StartsWith('/') ? "" : host)}:{builder.Port}/{builder.Database ?? ""}{(host.StartsWith('/') ? "?host=" + host : "")}");
    }

    /// <summary>The Npgsql connection string (no password in it).</summary>
    public string ConnectionString { get; }

    /// <summary>The location for logs and messages: user, host, port and database, never a password.</summary>
    public string Display { get; }

    public override string ToString() => Display;

    /// <summary>Parses a URL or libpq keyword string; a <see cref="FormatException"/> names what is wrong (without echoing a password).</summary>
    public static ResultsDatabaseLocation Parse(string text)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        var pairs = text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(text)
            : FromKeywords(text);
        foreach (var (key, value) in pairs)
        {
            if (key.Equals("password", StringComparison.OrdinalIgnoreCase))
                throw new FormatException("the results database location holds a password: put it in PGPASSWORD or a .pgpass file instead (a command line is visible to every user)");
            if (!Keywords.TryGetValue(key, out var npgsqlKey))
                throw new FormatException($"the results database location has an unknown parameter '{key}' (known: {string.Join(", ", Keywords.Keys)})");
            if (value.Length == 0) continue;
            if (npgsqlKey == "Port" && !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new FormatException($"the results database port '{value}' is not a number");
            try { builder[npgsqlKey] = value; }
            catch (ArgumentException ex) { throw new FormatException($"the results database parameter '{key}': {ex.Message}"); }
        }
        return new ResultsDatabaseLocation(builder);
    }

    /// <summary>postgres://[user[:password]@][host][:port][/dbname][?key=value&amp;…], components percent-decoded as libpq does.</summary>
    private static IEnumerable<(string Key, string Value)> FromUrl(string text)
    {
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        if (rest.IndexOf('?') is var q and >= 0) (rest, query) = (rest[..q], rest[(q + 1)..]);
        var path = "";
        if (rest.IndexOf('/') is var slash and >= 0) (rest, path) = (rest[..slash], rest[(slash + 1)..]);
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            if (userInfo.IndexOf(':') is var colon and >= 0)
            {
                yield return ("password", "");
                userInfo = userInfo[..colon];
            }
            yield return ("user", Uri.UnescapeDataString(userInfo));
        }
        // host[:port], the host possibly a bracketed IPv6 address.
        var portAt = rest.StartsWith('[') ? rest.IndexOf("]:", StringComparison.Ordinal) + 1 : rest.LastIndexOf(':');
        if (portAt > 0)
        {
            yield return ("port", rest[(portAt + 1)..]);
            rest = rest[..portAt];
        }
        yield return ("host", Uri.UnescapeDataString(rest.Trim('[', ']')));
        yield return ("dbname", Uri.UnescapeDataString(path));
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new FormatException($"the results database URL has a query part without key=value: '{pair.Split('=')[0]}'");
            yield return (Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }

    /// <summary>key=value pairs separated by spaces (libpq's keyword form; values with spaces in single quotes are not supported).</summary>
    private static IEnumerable<(string Key, string Value)> FromKeywords(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new FormatException("the results database location is empty: expected postgres://… or host=… dbname=…");
        foreach (var part in parts)
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"the results database location '{part.Split('=')[0]}…' is neither a postgres:// URL nor key=value pairs");
            yield return (part[..eq], part[(eq + 1)..]);
        }
    }
}
