using System.Collections;
using System.Globalization;

namespace OsteoML.AutoTune.Search;

/// <summary>
/// An ordered set of hyper-parameters, mapped to the unit hypercube [0, 1)^d (one axis per parameter, in order).
/// </summary>
public sealed class SearchSpace : IReadOnlyList<SearchParameter>
{
    private readonly SearchParameter[] _parameters;

    public SearchSpace(params SearchParameter[] parameters)
    {
        var duplicate = parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"parameter {duplicate.Key} appears twice in the search space.");
        _parameters = parameters;
    }

    public int Dimension => _parameters.Length;
    public int Count => _parameters.Length;
    public SearchParameter this[int index] => _parameters[index];

    /// <summary>The cheap starting point of a cost-frugal search, in unit coordinates.</summary>
    public double[] StartPoint() => _parameters.Select(p => p.ToUnit(p.Start)).ToArray();

    /// <summary>Decodes a unit-cube point into named values.</summary>
    public ParameterSet Decode(IReadOnlyList<double> point)
    {
        if (point.Count != Dimension) throw new ArgumentException($"point has {point.Count} coordinates, the space has {Dimension}.");
        return new ParameterSet(_parameters.Select((p, i) => KeyValuePair.Create(p.Name, p.FromUnit(point[i]))));
    }

    /// <summary>Encodes named values into a unit-cube point (every parameter must be present).</summary>
    public double[] Encode(ParameterSet values) =>
        _parameters.Select(p => values.TryGetValue(p.Name, out var v)
            ? p.ToUnit(v)
            : throw new ArgumentException($"parameter {p.Name} has no value.")).ToArray();

    public IEnumerator<SearchParameter> GetEnumerator() => ((IEnumerable<SearchParameter>)_parameters).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Named hyper-parameter values, in the search space's order; printable as <c>name=value, …</c>.</summary>
public sealed class ParameterSet : IReadOnlyDictionary<string, object>
{
    private readonly List<KeyValuePair<string, object>> _items;
    private readonly Dictionary<string, object> _byName;

    public ParameterSet(IEnumerable<KeyValuePair<string, object>> items)
    {
        _items = items.ToList();
        _byName = _items.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    public static ParameterSet Empty { get; } = new([]);

    public double GetDouble(string name) => Convert.ToDouble(Get(name), CultureInfo.InvariantCulture);
    public float GetSingle(string name) => (float)GetDouble(name);
    public int GetInt(string name) => Convert.ToInt32(Get(name), CultureInfo.InvariantCulture);
    public string GetString(string name) => Convert.ToString(Get(name), CultureInfo.InvariantCulture)!;
    public bool GetBool(string name) => Convert.ToBoolean(Get(name), CultureInfo.InvariantCulture);

    private object Get(string name) =>
        _byName.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"hyper-parameter {name} is not in this set.");

    public object this[string key] => Get(key);
    public IEnumerable<string> Keys => _items.Select(kv => kv.Key);
    public IEnumerable<object> Values => _items.Select(kv => kv.Value);
    public int Count => _items.Count;
    public bool ContainsKey(string key) => _byName.ContainsKey(key);
    public bool TryGetValue(string key, out object value) => _byName.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", _items.Select(kv => $"{kv.Key}={Format(kv.Value)}"));

    private static string Format(object v) => v switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
