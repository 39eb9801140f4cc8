// Placeholder until the NoCloud seed writer lands.
public enum NoCloudPlaceholder {}
