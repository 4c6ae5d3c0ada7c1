"""The go-to-market team: Salesforce users and roles, HubSpot owners."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ROLES = (
    # (developer name, label, parent role index or -1)
    ("VP_Revenue", "VP Revenue", -1),
    ("SDR_Manager", "SDR Manager", 0),
    ("AE_Manager", "Sales Manager", 0),
    ("CSM_Manager", "Customer Success Manager Lead", 0),
    ("SDR", "Sales Development Rep", 1),
    ("AE", "Account Executive", 2),
    ("CSM", "Customer Success Manager", 3),
)


@dataclass(frozen=True)
class Team:
    """Global user indices: 0 VP, 1..3 managers (SDR, AE, CSM), then SDRs, AEs, CSMs."""

    n_sdr: int
    n_ae: int
    n_csm: int
    n_marketing: int

    @property
    def sdr0(self) -> int:
        return 4

    @property
    def ae0(self) -> int:
        return 4 + self.n_sdr

    @property
    def csm0(self) -> int:
        return 4 + self.n_sdr + self.n_ae

    @property
    def n_users(self) -> int:
        return 4 + self.n_sdr + self.n_ae + self.n_csm

    def role_of_user(self) -> np.ndarray:
        """Index into ROLES per user."""
        return np.array([0, 1, 2, 3] + [4] * self.n_sdr + [5] * self.n_ae + [6] * self.n_csm)

    def manager_of_user(self) -> np.ndarray:
        """Global user index of each user's manager (-1 for the VP)."""
        role = self.role_of_user()
        return np.array([-1, 0, 0, 0, 1, 2, 3])[role]
