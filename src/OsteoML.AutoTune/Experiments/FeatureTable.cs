using Microsoft.ML;
using Microsoft.ML.Data;

namespace OsteoML.AutoTune.Experiments;

/// <summary>Names of the feature table's columns (the pipeline's feature extraction writes these by default).</summary>
public sealed record FeatureTableColumns
{
    /// <summary>Float vector, the same length on every row: DenseNet features, ROI measures, reference-tissue HUs.</summary>
    public string Features { get; init; } = "Features";

    /// <summary>QCT bone mineral density, mg/cm³ (float or double).</summary>
    public string Bmd { get; init; } = "Bmd";

    /// <summary>Class label as text: one of <see cref="FeatureTable.ClassNames"/>. Optional for regression.</summary>
    public string Class { get; init; } = "Class";

    /// <summary>Patient (or other grouping) id: cross-validation never puts one group in two folds.</summary>
    public string Group { get; init; } = "PatientId";

    /// <summary>Scanner site key. Optional.</summary>
    public string Site { get; init; } = "Site";
}

/// <summary>
/// A feature table held in memory, row by row: features, BMD, class, group (patient) and site. Tuning reads it
/// many times over (folds × trials), so it is materialised once instead of re-reading an IDataView.
/// A <c>Microsoft.Data.Analysis.DataFrame</c> is an IDataView and is read the same way.
/// </summary>
public sealed class FeatureTable
{
    /// <summary>The ACR classes, in key order (key 1 = normal).</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["normal", "osteopenia", "osteoporosis"];

    public FeatureTable(float[][] features, float[] bmd, int[]? classIndex, string[] group, string[]? site)
    {
        var n = features.Length;
        if (n == 0) throw new ArgumentException("the feature table has no rows.");
        var width = features[0].Length;
        if (width == 0) throw new ArgumentException("the feature vectors are empty.");
        for (var i = 0; i < n; i++)
        {
            if (features[i].Length != width)
                throw new ArgumentException($"row {i}: feature vector has {features[i].Length} values, row 0 has {width}.");
            if (!float.IsFinite(bmd[i])) throw new ArgumentException($"row {i}: BMD is {bmd[i]}.");
            if (classIndex is not null && (uint)classIndex[i] >= ClassNames.Count)
                throw new ArgumentException($"row {i}: class index {classIndex[i]} is out of range.");
            if (string.IsNullOrEmpty(group[i])) throw new ArgumentException($"row {i}: group (patient) id is empty.");
        }
        if (bmd.Length != n || group.Length != n || classIndex?.Length is int c && c != n || site?.Length is int s && s != n)
            throw new ArgumentException("the feature table's columns differ in length.");
        (Features, Bmd, ClassIndex, Group, Site) = (features, bmd, classIndex, group, site);
    }

    public float[][] Features { get; }
    public float[] Bmd { get; }

    /// <summary>0-based index into <see cref="ClassNames"/>; null when the table has no class column.</summary>
    public int[]? ClassIndex { get; }

    public string[] Group { get; }
    public string[]? Site { get; }
    public int RowCount => Features.Length;
    public int FeatureCount => Features[0].Length;

    /// <summary>Reads a feature table from any IDataView (a DataFrame included). Class and site columns are optional.</summary>
    public static FeatureTable FromDataView(IDataView data, FeatureTableColumns? columns = null)
    {
        columns ??= new FeatureTableColumns();
        var schema = data.Schema;
        var featureColumn = Require(schema, columns.Features);
        // A DataFrame's vector column has no declared size: the constructor checks that every row has the same.
        if (featureColumn.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType } || itemType.RawType != typeof(float))
            throw new ArgumentException($"column {columns.Features} must be a float vector (it is {featureColumn.Type}).");
        var bmdColumn = Require(schema, columns.Bmd);
        var groupColumn = Require(schema, columns.Group);
        var classColumn = schema.GetColumnOrNull(columns.Class);
        var siteColumn = schema.GetColumnOrNull(columns.Site);

        var features = new List<float[]>();
        var bmd = new List<float>();
        var classes = classColumn is null ? null : new List<int>();
        var groups = new List<string>();
        var sites = siteColumn is null ? null : new List<string>();
        var needed = new[] { featureColumn, bmdColumn, groupColumn, classColumn, siteColumn }.OfType<DataViewSchema.Column>();
        using var cursor = data.GetRowCursor(needed);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        var getBmd = NumberGetter(cursor, bmdColumn);
        var getGroup = TextGetter(cursor, groupColumn);
        var getClass = classColumn is { } cc ? TextGetter(cursor, cc) : null;
        var getSite = siteColumn is { } sc ? TextGetter(cursor, sc) : null;
        VBuffer<float> buffer = default;
        var row = 0;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            features.Add(buffer.DenseValues().ToArray()); // copy: the cursor reuses its buffer
            bmd.Add((float)getBmd());
            groups.Add(getGroup());
            if (getClass is not null)
            {
                var name = getClass();
                var index = IndexOfClass(name);
                classes!.Add(index >= 0 ? index
                    : throw new ArgumentException($"row {row}, column {columns.Class}: unknown class '{name}' (expected {string.Join(", ", ClassNames)})."));
            }
            sites?.Add(getSite!());
            row++;
        }
        return new FeatureTable(features.ToArray(), bmd.ToArray(), classes?.ToArray(), groups.ToArray(), sites?.ToArray());
    }

    public static int IndexOfClass(string name)
    {
        for (var i = 0; i < ClassNames.Count; i++)
            if (string.Equals(ClassNames[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>
    /// An IDataView of the given rows (all when null) with the columns the trainers read: <c>Features</c>
    /// (float vector), <c>Bmd</c> (float) and <c>Class</c> (a key over <see cref="ClassNames"/>, when known).
    /// </summary>
    public IDataView ToDataView(MLContext ml, IReadOnlyList<int>? rows = null)
    {
        rows ??= Enumerable.Range(0, RowCount).ToArray();
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new TrainingRow
        {
            Features = Features[r],
            Bmd = Bmd[r],
            // LoadFromEnumerable stores a [KeyType] property's value v as raw key v + 1 (raw 0 is "missing"), so
            // the 0-based class index goes in as is.
            Class = ClassIndex is null ? 0u : (uint)ClassIndex[r],
        }).ToArray(), schema);
        return ClassIndex is null ? ml.Transforms.DropColumns(nameof(TrainingRow.Class)).Fit(data).Transform(data) : data;
    }

    private static DataViewSchema.Column Require(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"the feature table has no column {name} (columns: {string.Join(", ", schema.Select(c => c.Name))}).");

    private static Func<double> NumberGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Single)
        {
            var g = cursor.GetGetter<float>(column);
            return () => { float v = 0; g(ref v); return v; };
        }
        if (column.Type == NumberDataViewType.Double)
        {
            var g = cursor.GetGetter<double>(column);
            return () => { double v = 0; g(ref v); return v; };
        }
        throw new ArgumentException($"column {column.Name} must be float or double (it is {column.Type}).");
    }

    private static Func<string> TextGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is TextDataViewType)
        {
            var g = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () => { ReadOnlyMemory<char> v = default; g(ref v); return v.ToString(); };
        }
        if (column.Type == NumberDataViewType.Int32)
        {
            var g = cursor.GetGetter<int>(column);
            return () => { var v = 0; g(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
        }
        if (column.Type == NumberDataViewType.Int64)
        {
            var g = cursor.GetGetter<long>(column);
            return () => { long v = 0; g(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
        }
        throw new ArgumentException($"column {column.Name} must be text or an integer (it is {column.Type}).");
    }

    private sealed class TrainingRow
    {
        public float[] Features { get; set; } = [];
        public float Bmd { get; set; }
        [KeyType(3)] public uint Class { get; set; }
    }
}
