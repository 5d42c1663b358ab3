"""One page object per Patientco screen: the identity provider's two, the console's others."""
