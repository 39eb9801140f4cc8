// Placeholder until the host check lands.
public enum HostCheckPlaceholder {}
