using System.Text.Json;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// How the tests read the reference corpus's expectations now that the native codecs decode most syntaxes the
/// corpus marked <c>unsupported-transfer-syntax</c>: those files carry reference pixels, which must now match.
/// </summary>
internal static class ReferenceCorpus
{
    /// <summary>Files we still refuse, and why (asserted by the tests, so the list cannot go stale).</summary>
    public static readonly IReadOnlyDictionary<string, string> StillUnsupported = new Dictionary<string, string>
    {
        // 12-bit DCT JPEG: libjpeg-turbo 2.1.5's TurboJPEG API decodes 8-bit samples only.
        ["files/single/JPGExtended.dcm"] = "12-bit DCT JPEG cannot be decoded",
    };

    /// <summary>The expected.jsonl entry of one corpus file (path relative to tests/data/reference-dicom).</summary>
    public static JsonElement Entry(string file) =>
        File.ReadLines(TestPaths.Data("reference-dicom", "expected.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("file").GetString() == file);

    /// <summary>The reference decoders' pixelSha256 of one corpus file.</summary>
    public static string Sha256(string file) => Entry(file).GetProperty("pixelSha256").GetString()!;

    /// <summary>The expectation that applies today: <c>pixels</c> for a formerly unsupported syntax we decode.</summary>
    public static string Expectation(JsonElement entry)
    {
        var expect = entry.GetProperty("expect").GetString()!;
        return expect == "unsupported-transfer-syntax" && !StillUnsupported.ContainsKey(entry.GetProperty("file").GetString()!) ? "pixels" : expect;
    }
}
