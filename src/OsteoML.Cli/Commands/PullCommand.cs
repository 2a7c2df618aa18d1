using System.CommandLine;
using System.Text.Json;
using OsteoML.Dicom.Web;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml pull URL --list [--json]</c> lists the PACS's CT studies (QIDO-RS); <c>osteoml pull URL --study UID --out DIR</c>
/// retrieves one study (WADO-RS) into <c>DIR/&lt;StudyInstanceUID&gt;/</c>, ready for <c>screen</c>. Credentials as for
/// <c>--push</c> (environment or file). Only UIDs, dates and counts are printed — no patient attributes.
/// </summary>
internal static class PullCommand
{
    public static Command Create(CliContext context)
    {
        var url = new Argument<Uri?>("URL") { Description = "DICOMweb root, e.g. http://pacs:8042/dicom-web.", CustomParser = r => SharedOptions.HttpUrl(r, "URL") };
        var study = new Option<string?>("--study") { Description = "StudyInstanceUID of the study to retrieve." };
        var list = new Option<bool>("--list") { Description = "List the CT studies (UID, date, modalities, instances) instead of retrieving." };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder to retrieve into (one folder per study)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per study (with --list) or per file retrieved." };
        var command = new Command("pull", "Find and retrieve CT studies from a PACS over DICOMweb (QIDO-RS, WADO-RS).") { url, study, list, output, json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(list) == (r.GetValue(study) is not null)) r.AddError("give either --list or --study UID");
            if (r.GetValue(study) is not null && r.GetValue(output) is null) r.AddError("--study needs --out DIR");
        });
        command.SetAction(parseResult =>
        {
            using var client = new DicomWebClient(parseResult.GetValue(url)!, DicomWebCredentials.FromEnvironment());
            if (parseResult.GetValue(list))
            {
                foreach (var s in client.SearchStudies(new Dictionary<string, string> { ["ModalitiesInStudy"] = "CT" }))
                    context.Out.WriteLine(parseResult.GetValue(json)
                        ? JsonSerializer.Serialize(new { studyInstanceUid = s.StudyInstanceUid, studyDate = s.StudyDate, modalities = s.Modalities, instances = s.Instances })
                        : $"{s.StudyInstanceUid}  {s.StudyDate ?? "-"}  {string.Join('/', s.Modalities)}  {s.Instances?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} instance(s)");
                return ExitCodes.Success;
            }
            var uid = parseResult.GetValue(study)!;
            var folder = Path.Combine(parseResult.GetValue(output)!.FullName, uid);
            var files = client.RetrieveStudy(uid, folder);
            context.Out.WriteLine(parseResult.GetValue(json)
                ? JsonSerializer.Serialize(new { studyInstanceUid = uid, folder, instances = files.Count })
                : $"retrieved {files.Count} instance(s) of study {uid} into {folder}");
            return files.Count > 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
