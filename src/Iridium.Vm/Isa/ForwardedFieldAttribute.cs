namespace Iridium.Vm;

/// <summary>
/// Marks a <see cref="Cpu"/> field that a superinstruction keeps in a local between its parts:
/// writes in the copied handler bodies go to the field and the local, reads come from the local.
/// So a compare fused with DJMPE branches on the value it just computed instead of storing the flag
/// and loading it back (a store-to-load round trip on every conditional branch). Nothing but the
/// handler bodies may write such a field while the interpreter runs, except a method a body calls
/// in a <c>return</c> (PUSH growing the stack): after such a call the next part reads the fields
/// again.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class ForwardedFieldAttribute : Attribute;
