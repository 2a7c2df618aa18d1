using System.CommandLine;
using OsteoML.Pipelines.Screening;
using OsteoML.Results;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>--results postgres://…</c>: a PostgreSQL database as a shared result store beside the local folder. With it the
/// database decides what is already done (a worker's local results.jsonl is a log of its own work; several workers and
/// reruns on other machines share only the database). Parsed while parsing the command line (a malformed location, or one
/// holding a password, is a usage error); connected when the batch starts.
/// </summary>
internal static class ResultsOption
{
    public const string Name = "--results";

    public static Option<ResultsDatabaseLocation?> Create(bool required = false) => new(Name)
    {
        Description = "PostgreSQL results database: postgres://user@host:port/db (postgres:///db?host=/socket/dir for a Unix socket) or "
                      + "'host=… port=… dbname=… user=…'. The password from PGPASSWORD or a .pgpass file (PGPASSFILE), never the command line.",
        Required = required,
        CustomParser = result =>
        {
            try { return ResultsDatabaseLocation.Parse(result.Tokens[0].Value); }
            catch (FormatException ex) { result.AddError($"{Name}: {ex.Message}"); return null; }
        },
    };

    /// <summary>Connects the batch's database store, or null without --results; reports the database (no password) on stderr.</summary>
    public static PostgresResultStore? Open(CliContext context, ResultsDatabaseLocation? location, ResultProvenance provenance, Shard shard)
    {
        if (location is null) return null;
        var store = PostgresResultStore.Open(location, provenance, shard);
        var migrated = store.SchemaVersionBefore < ResultsSchema.Current ? $", schema {store.SchemaVersionBefore} → {ResultsSchema.Current}" : "";
        context.Error.WriteLine($"results database {location}{migrated}: {store.Resumed} result(s) of this bundle already there");
        return store;
    }

    /// <summary>What this worker wrote to the database and what it cost per study (docs/scale-out.md quotes it).</summary>
    public static void ReportWrites(CliContext context, PostgresResultStore? store)
    {
        if (store is null) return;
        var perStudy = store.Written == 0 ? 0 : store.WriteTime.TotalMilliseconds / store.Written;
        context.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"results database: {store.Written} result(s) written by shard {store.Shard}, {perStudy:F1} ms per study"));
    }
}
