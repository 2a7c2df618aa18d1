using System.Collections;
using System.Text;

namespace OsteoML.Dicom;

/// <summary>
/// A dataset (PS3.5 §7): items ordered by tag, with typed access in the manner of fo-dicom
/// (<c>GetString</c>, <c>GetSingleValue&lt;T&gt;</c>, <c>GetValues&lt;T&gt;</c>, <c>TryGet…</c>). Values are held
/// as little endian bytes; text is decoded with the Specific Character Set in force (the item's own, or the
/// enclosing dataset's).
/// </summary>
public sealed class DicomDataset : IEnumerable<DicomItem>
{
    private readonly List<DicomItem> _items = [];
    private Encoding? _characterSet;

    public DicomDataset() { }

    public DicomDataset(params IEnumerable<DicomItem> items)
    {
        foreach (var item in items)
            AddOrUpdate(item);
    }

    /// <summary>The syntax the pixel data of this dataset is encoded in (set by the reader, changed by <see cref="DicomFile.Clone"/>).</summary>
    public DicomTransferSyntax InternalTransferSyntax { get; set; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>The dataset this one is an item of, for inheriting the character set.</summary>
    internal DicomDataset? Parent { get; set; }

    public int Count => _items.Count;

    /// <summary>The text encoding of this dataset's values: its (0008,0005), else its parent's, else the default repertoire.</summary>
    public Encoding CharacterSet
    {
        get
        {
            if (_characterSet is not null)
                return _characterSet;
            if (Find(DicomTag.SpecificCharacterSet) is DicomElement e)
                return _characterSet = DicomCharacterSet.FromTerms(DicomValues.Get<string>(e, DicomCharacterSet.Default));
            return Parent?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public DicomItem? this[DicomTag tag] => Find(tag);

    public DicomItem? Find(DicomTag tag)
    {
        var i = IndexOf(tag);
        return i >= 0 ? _items[i] : null;
    }

    // ---- adding ---------------------------------------------------------------------------------------------

    /// <summary>Adds an item; throws if the tag is already present (use <see cref="AddOrUpdate(DicomItem)"/> to replace).</summary>
    public DicomDataset Add(DicomItem item) => Insert(item, replace: false);

    public DicomDataset AddOrUpdate(DicomItem item) => Insert(item, replace: true);

    /// <summary>Adds values with the VR the data dictionary gives the tag.</summary>
    public DicomDataset Add<T>(DicomTag tag, params T[] values) => Add(tag, VRFor(tag), values);

    public DicomDataset Add<T>(DicomTag tag, DicomVR vr, params T[] values) => Add(MakeElement(tag, vr, values));

    public DicomDataset AddOrUpdate<T>(DicomTag tag, params T[] values) => AddOrUpdate(tag, VRFor(tag), values);

    public DicomDataset AddOrUpdate<T>(DicomTag tag, DicomVR vr, params T[] values) => AddOrUpdate(MakeElement(tag, vr, values));

    /// <summary>Adds a sequence of these items.</summary>
    public DicomDataset Add(DicomTag tag, params DicomDataset[] items) => Add(new DicomSequence(tag, items));

    public DicomDataset AddOrUpdate(DicomTag tag, params DicomDataset[] items) => AddOrUpdate(new DicomSequence(tag, items));

    /// <summary>For the reader: append in tag order; a repeated tag (corrupt file) keeps its first occurrence, as in dcmtk.</summary>
    internal void AddParsed(DicomItem item)
    {
        if (_items.Count == 0 || _items[^1].Tag < item.Tag)
        {
            if (item is DicomSequence sequence)
            {
                foreach (var child in sequence.Items)
                    child.Parent = this;
            }
            _items.Add(item);
        }
        else if (!Contains(item.Tag))
        {
            Insert(item, replace: false);
        }
    }

    public bool Remove(DicomTag tag)
    {
        var i = IndexOf(tag);
        if (i < 0)
            return false;
        _items.RemoveAt(i);
        if (tag == DicomTag.SpecificCharacterSet)
            _characterSet = null;
        return true;
    }

    private DicomElement MakeElement<T>(DicomTag tag, DicomVR vr, T[] values) =>
        new(tag, vr, DicomValues.Encode(tag, vr, values, tag == DicomTag.SpecificCharacterSet ? DicomCharacterSet.Default : CharacterSet));

    private static DicomVR VRFor(DicomTag tag) =>
        tag.IsPrivate && !tag.IsPrivateCreator
            ? throw new ArgumentException($"{tag} is a private tag: give its VR explicitly.")
            : DicomDictionary.ImplicitVR(tag) is var vr && vr == DicomVR.UN && DicomDictionary.Lookup(tag) is null
                ? throw new ArgumentException($"{tag} is not in the data dictionary: give its VR explicitly.")
                : vr;

    private DicomDataset Insert(DicomItem item, bool replace)
    {
        if (item is DicomSequence sequence)
        {
            foreach (var child in sequence.Items)
                child.Parent = this;
        }
        if (item.Tag == DicomTag.SpecificCharacterSet)
            _characterSet = null;
        // Reading appends in tag order, so the common case is one comparison.
        if (_items.Count == 0 || _items[^1].Tag < item.Tag)
        {
            _items.Add(item);
            return this;
        }
        var i = IndexOf(item.Tag);
        if (i >= 0)
        {
            if (!replace)
                throw new ArgumentException($"{item.Tag} is already in the dataset; use AddOrUpdate to replace it.");
            _items[i] = item;
        }
        else
        {
            _items.Insert(~i, item);
        }
        return this;
    }

    private int IndexOf(DicomTag tag)
    {
        int lo = 0, hi = _items.Count - 1;
        var key = tag.Value;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var value = _items[mid].Tag.Value;
            if (value == key)
                return mid;
            if (value < key)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }

    // ---- reading values -------------------------------------------------------------------------------------

    /// <summary>The whole value as text (multiple values keep their backslashes), without padding.</summary>
    public string GetString(DicomTag tag)
    {
        var element = GetElement(tag);
        return element.VR.IsString
            ? DicomValues.DecodeText(element.VR, element.Buffer.Data.Span, CharacterSet)
            : string.Join('\\', DicomValues.Get<string>(element, CharacterSet));
    }

    public bool TryGetString(DicomTag tag, out string value)
    {
        if (Find(tag) is DicomElement)
        {
            value = GetString(tag);
            return true;
        }
        value = "";
        return false;
    }

    /// <summary>The text, or <paramref name="defaultValue"/> when the element is absent or empty.</summary>
    public string? GetStringOrDefault(DicomTag tag, string? defaultValue = null) =>
        TryGetString(tag, out var value) && value.Length > 0 ? value : defaultValue;

    public T[] GetValues<T>(DicomTag tag) => DicomValues.Get<T>(GetElement(tag), CharacterSet);

    public bool TryGetValues<T>(DicomTag tag, out T[] values)
    {
        if (Find(tag) is DicomElement element)
        {
            values = DicomValues.Get<T>(element, CharacterSet);
            return true;
        }
        values = [];
        return false;
    }

    /// <summary>The value at <paramref name="index"/> of a multi-valued element.</summary>
    public T GetValue<T>(DicomTag tag, int index)
    {
        var values = GetValues<T>(tag);
        return (uint)index < (uint)values.Length
            ? values[index]
            : throw new DicomDataException($"{Describe(tag)} has {values.Length} values; value {index} was asked for.");
    }

    /// <summary>The one value of a single-valued element; throws when the element is absent, empty or holds several values.</summary>
    public T GetSingleValue<T>(DicomTag tag)
    {
        var values = GetValues<T>(tag);
        return values.Length == 1
            ? values[0]
            : throw new DicomDataException($"{Describe(tag)} holds {values.Length} values where one was expected.");
    }

    public bool TryGetSingleValue<T>(DicomTag tag, out T value)
    {
        value = default!;
        if (Find(tag) is not DicomElement element)
            return false;
        T[] values;
        try
        {
            values = DicomValues.Get<T>(element, CharacterSet);
        }
        catch (FormatException)
        {
            return false;
        }
        if (values.Length != 1)
            return false;
        value = values[0];
        return true;
    }

    /// <summary>The first value, or <paramref name="defaultValue"/> when absent, empty or unreadable.</summary>
    public T GetSingleValueOrDefault<T>(DicomTag tag, T defaultValue)
    {
        if (Find(tag) is not DicomElement element)
            return defaultValue;
        try
        {
            var values = DicomValues.Get<T>(element, CharacterSet);
            return values.Length > 0 ? values[0] : defaultValue;
        }
        catch (FormatException)
        {
            return defaultValue;
        }
    }

    public DicomSequence GetSequence(DicomTag tag) =>
        Find(tag) as DicomSequence ?? throw new DicomDataException($"{Describe(tag)} is not a sequence in this dataset.");

    public bool TryGetSequence(DicomTag tag, out DicomSequence sequence)
    {
        sequence = Find(tag) as DicomSequence ?? null!;
        return sequence is not null;
    }

    public DicomElement GetElement(DicomTag tag) => Find(tag) switch
    {
        DicomElement e => e,
        null => throw new DicomDataException($"{Describe(tag)} is not in the dataset."),
        var other => throw new DicomDataException($"{Describe(tag)} is a {other.VR} item, not an element with values."),
    };

    private static string Describe(DicomTag tag) => tag.Keyword is { } k ? $"{k} {tag}" : tag.ToString();

    // ---- copying --------------------------------------------------------------------------------------------

    /// <summary>A copy whose sequences are copied too; value buffers are shared (they are never mutated).</summary>
    public DicomDataset Clone()
    {
        var copy = new DicomDataset { InternalTransferSyntax = InternalTransferSyntax };
        foreach (var item in _items)
        {
            copy._items.Add(item is DicomSequence sq
                ? new DicomSequence(sq.Tag, sq.Items.Select(i => i.Clone()))
                : item);
        }
        foreach (var child in copy._items.OfType<DicomSequence>().SelectMany(s => s.Items))
            child.Parent = copy;
        return copy;
    }

    public IEnumerator<DicomItem> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
