using System.CommandLine;
using OsteoML.Pipelines.Bundles;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml bundle migrate MODEL</c>: re-seals a bundle written by an older OsteoML (schema 1, whose bundle.json was
/// covered by no hash) after checking every file against the hashes it lists. Only for a copy the user trusts: the old
/// bundle.json itself cannot be verified, which is why loading refuses it until migrated.
/// </summary>
internal static class BundleCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<DirectoryInfo>("MODEL") { Description = "Bundle folder (bundle.json, model.zip, …)." };
        var migrate = new Command("migrate", "Re-seal a schema-1 bundle you trust as the current schema.") { model };
        migrate.SetAction(parseResult =>
        {
            var directory = parseResult.GetValue(model)!.FullName;
            var manifest = ModelBundle.Migrate(directory);
            ModelBundle.Load(directory);
            context.Out.WriteLine($"{directory}: migrated to bundle schema {manifest.SchemaVersion} ({manifest.Files.Count} files sealed)");
            return ExitCodes.Success;
        });
        return new Command("bundle", "Maintain model bundles.") { migrate };
    }
}
