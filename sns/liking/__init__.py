"""イイネ! (likes): liking and unliking anything sns.likes names, who liked it, and the
gathered notification to its author. A cross-app feature: it knows every likeable model."""
