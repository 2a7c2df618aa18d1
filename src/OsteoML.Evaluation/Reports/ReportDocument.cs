namespace OsteoML.Evaluation.Reports;

/// <summary>A report as a list of blocks, written as Markdown or as self-contained HTML by the same content.</summary>
internal abstract record ReportBlock;

internal sealed record Heading(int Level, string Text) : ReportBlock;

internal sealed record Paragraph(string Text) : ReportBlock;

internal sealed record BulletList(IReadOnlyList<string> Items) : ReportBlock;

internal sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) : ReportBlock;

/// <summary>A PNG figure: Markdown links <see cref="RelativePath"/>, HTML embeds <see cref="Png"/> as a data URI.</summary>
internal sealed record Figure(string Caption, string RelativePath, byte[] Png) : ReportBlock;
