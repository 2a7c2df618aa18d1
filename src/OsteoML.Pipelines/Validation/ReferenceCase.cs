using Microsoft.Data.Analysis;
using OsteoML.Domain;

namespace OsteoML.Pipelines.Validation;

/// <summary>
/// One real CT with reference vertebra labels: the CT (a DICOM folder or a NIfTI file), its label map (or folder of
/// per-level files) with the scheme it numbers levels by, and optionally a body mask that keeps only the vertebral bodies.
/// </summary>
public sealed record ReferenceCase(string CaseId, string Ct, string Labels, VertebraLabelScheme Scheme, string? BodyMask)
{
    public const string FileName = "reference.csv";

    /// <summary>
    /// The cases of a <c>reference.csv</c> (columns <c>case_id, ct, labels, scheme</c> and optional <c>body</c>; paths
    /// relative to the file's folder): <paramref name="path"/> is the file or the folder holding it.
    /// </summary>
    public static IReadOnlyList<ReferenceCase> Read(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no reference list (a {FileName} with case_id, ct, labels, scheme[, body]).");
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string[] header;
        using (var reader = new StreamReader(file))
            header = (reader.ReadLine() ?? throw new InvalidDataException($"{file}: empty.")).TrimStart('\uFEFF').Split(',');
        var frame = DataFrame.LoadCsv(file, dataTypes: header.Select(_ => typeof(string)).ToArray());
        int Column(string name, bool required = true)
        {
            var index = frame.Columns.IndexOf(name);
            if (index < 0 && required) throw new InvalidDataException($"{file}: no column {name} (columns: {string.Join(", ", header)}).");
            return index;
        }
        int id = Column("case_id"), ct = Column("ct"), labels = Column("labels"), scheme = Column("scheme"), body = Column("body", required: false);
        var cases = new List<ReferenceCase>();
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            string Text(int c) => c < 0 ? "" : frame.Columns[c][r] as string ?? "";
            string Resolve(string relative, string column)
            {
                if (relative.Length == 0) throw new InvalidDataException($"{file}: row {r + 2}, column {column}: empty.");
                if (Path.IsPathRooted(relative) || relative.Split('/', '\\').Contains(".."))
                    throw new InvalidDataException($"{file}: row {r + 2}, column {column}: '{relative}' must stay inside the list's folder.");
                return Path.Combine(folder, relative);
            }
            VertebraLabelScheme parsed;
            try { parsed = VertebraLabelSchemes.Parse(Text(scheme)); }
            catch (ArgumentException ex) { throw new InvalidDataException($"{file}: row {r + 2}, column scheme: {ex.Message}"); }
            cases.Add(new ReferenceCase(Text(id), Resolve(Text(ct), "ct"), Resolve(Text(labels), "labels"), parsed,
                Text(body).Length > 0 ? Resolve(Text(body), "body") : null));
        }
        if (cases.Select(c => c.CaseId).Distinct().Count() != cases.Count) throw new InvalidDataException($"{file}: a case_id is listed twice.");
        return cases;
    }
}
