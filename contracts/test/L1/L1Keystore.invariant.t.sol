// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";
import {L1Keystore} from "../../src/L1/L1Keystore.sol";
import {MockCrossDomainMessenger} from "../mocks/MockCrossDomainMessenger.sol";

/// @notice Drives L1Keystore with random callers (the account, the messenger relaying from the
///         right or a wrong L2 sender, other accounts, strangers), random keys (reserved ones
///         included) and values from a tiny domain (so compare-and-swap hits and misses both
///         happen), and keeps an independent model of what must happen. Every call's outcome
///         (applied or reverted) is compared with the model; the invariants then compare state.
contract L1KeystoreHandler is Test {
    L1Keystore public immutable KS;
    MockCrossDomainMessenger public immutable MESSENGER;

    uint256 internal constant N_ACCOUNTS = 6;
    uint256 internal constant N_KEYS = 7;
    bytes32 internal constant WALLET_ID = bytes32(uint256(7));

    address[N_ACCOUNTS] public accounts;
    bytes32[N_ACCOUNTS] public salts;
    bytes32[N_KEYS] public keys;
    address[4] internal _updaters = [address(0), address(0x1001), address(0x1002), address(0x1003)];

    // the model
    mapping(address => bool) public registered;
    mapping(address => mapping(bytes32 => bytes32)) public modelKeys;
    mapping(address => mapping(uint64 => bytes32)) public modelBindings;

    // outcome bookkeeping
    uint256 public unexpectedOutcomes;
    uint256 public applied;
    uint256 public rejected;
    uint256 public casMisses;

    constructor(L1Keystore ks, MockCrossDomainMessenger messenger) {
        KS = ks;
        MESSENGER = messenger;
        keys = [
            keccak256("k0"),
            keccak256("k1"),
            keccak256("k2"),
            ks.INITDATA_HASH_KEY(),
            ks.SALT_KEY(),
            ks.WALLET_ID_KEY(),
            ks.L2_UPDATE_ADDRESS_KEY()
        ];
        for (uint256 i; i < N_ACCOUNTS; ++i) {
            salts[i] = bytes32(i + 1);
            accounts[i] = ks.computeAccountAddress(salts[i]);
        }
        // half the accounts start registered, one of them opted in to an L2 writer
        for (uint256 i; i < 3; ++i) {
            _registerModel(i, i == 0 ? 1 : 0);
        }
    }

    // ---------------------------------------------------------------- actions

    function registerAccount(uint256 accountSeed, uint256 updaterSeed) external {
        uint256 i = accountSeed % N_ACCOUNTS;
        bool expectOk = !registered[accounts[i]];
        bytes32[] memory k = new bytes32[](1);
        bytes32[] memory v = new bytes32[](1);
        k[0] = keys[0];
        v[0] = bytes32(uint256(1));
        address l2 = _updaters[updaterSeed % 4];
        bool ok;
        try KS.registerAccount(salts[i], WALLET_ID, k, v, "init", l2) {
            ok = true;
        } catch {}
        _outcome(ok, expectOk);
        if (ok && expectOk) _registerModel(i, updaterSeed % 4);
    }

    function writeKey(uint256 callerSeed, uint256 accountSeed, uint256 keySeed, uint256 valueSeed) external {
        address account = accounts[accountSeed % N_ACCOUNTS];
        bytes32 key = keys[keySeed % N_KEYS];
        bytes32 value = bytes32(valueSeed % 4);
        bool expectOk = _authorized(callerSeed, account) && registered[account] && !_protected(key) && value != 0
            && modelKeys[account][key] == 0;
        bool ok = _call(callerSeed, account, abi.encodeCall(KS.writeKey, (account, key, value)));
        _outcome(ok, expectOk);
        if (ok && expectOk) modelKeys[account][key] = value;
    }

    function updateKey(uint256 callerSeed, uint256 accountSeed, uint256 keySeed, uint256 oldSeed, uint256 newSeed)
        external
    {
        address account = accounts[accountSeed % N_ACCOUNTS];
        bytes32 key = keys[keySeed % N_KEYS];
        // mostly the true current value; sometimes a guess from the tiny domain
        bytes32 oldValue = oldSeed % 3 == 0 ? bytes32((oldSeed / 3) % 4) : modelKeys[account][key];
        bytes32 newValue = bytes32(newSeed % 4);
        bool casHit = modelKeys[account][key] == oldValue;
        if (!casHit) ++casMisses;
        bool expectOk = _authorized(callerSeed, account) && registered[account] && !_protected(key) && casHit;
        bool ok = _call(callerSeed, account, abi.encodeCall(KS.updateKey, (account, key, oldValue, newValue)));
        _outcome(ok, expectOk);
        if (ok && expectOk) modelKeys[account][key] = newValue;
    }

    function updateAccess(uint256 callerSeed, uint256 accountSeed, uint256 oldSeed, uint256 newSeed) external {
        address account = accounts[accountSeed % N_ACCOUNTS];
        bytes32 l2Key = keys[6];
        address current = address(uint160(uint256(modelKeys[account][l2Key])));
        address oldUpdater = oldSeed % 3 == 0 ? _updaters[(oldSeed / 3) % 4] : current;
        address newUpdater = _updaters[newSeed % 4];
        bool expectOk = _authorized(callerSeed, account) && registered[account] && current == oldUpdater;
        bool ok = _call(callerSeed, account, abi.encodeCall(KS.updateAccess, (account, oldUpdater, newUpdater)));
        _outcome(ok, expectOk);
        if (ok && expectOk) modelKeys[account][l2Key] = bytes32(uint256(uint160(newUpdater)));
    }

    function bindAddress(uint256 callerSeed, uint256 accountSeed, uint64 chainId, uint256 valueSeed) external {
        address account = accounts[accountSeed % N_ACCOUNTS];
        chainId = chainId % 3;
        bytes32 value = bytes32(valueSeed % 4);
        bool expectOk = _authorized(callerSeed, account) && registered[account];
        bool ok = _call(callerSeed, account, abi.encodeCall(KS.bindAddress, (account, chainId, value)));
        _outcome(ok, expectOk);
        if (ok && expectOk) modelBindings[account][chainId] = value;
    }

    // ---------------------------------------------------------------- helpers

    function accountAt(uint256 i) external view returns (address) {
        return accounts[i];
    }

    function keyAt(uint256 i) external view returns (bytes32) {
        return keys[i];
    }

    /// @dev Who calls, from callerSeed % 5: 0 the account; 1 the messenger relaying from the
    ///      account's current updater (or updater #1 if it has none); 2 the messenger relaying from
    ///      a random candidate updater; 3 another account; 4 a stranger.
    function _caller(uint256 callerSeed, address account)
        internal
        view
        returns (address caller, bool viaMessenger, address l2Sender)
    {
        uint256 kind = callerSeed % 5;
        uint256 pick = callerSeed / 5;
        if (kind == 0) return (account, false, address(0));
        if (kind == 1) {
            address u = address(uint160(uint256(modelKeys[account][keys[6]])));
            return (address(MESSENGER), true, u == address(0) ? _updaters[1] : u);
        }
        if (kind == 2) return (address(MESSENGER), true, _updaters[pick % 4]);
        if (kind == 3) return (accounts[pick % N_ACCOUNTS], false, address(0));
        address[4] memory strangers = [address(0xBAD0), address(0xBAD1), address(0xBAD2), address(0xBAD3)];
        return (strangers[pick % 4], false, address(0));
    }

    /// @dev The model's canWrite: the account, or the messenger relaying from its non-zero updater.
    function _authorized(uint256 callerSeed, address account) internal view returns (bool) {
        (address caller, bool viaMessenger, address l2Sender) = _caller(callerSeed, account);
        if (viaMessenger) {
            address u = address(uint160(uint256(modelKeys[account][keys[6]])));
            return u != address(0) && l2Sender == u;
        }
        return caller == account;
    }

    function _call(uint256 callerSeed, address account, bytes memory data) internal returns (bool ok) {
        (address caller, bool viaMessenger, address l2Sender) = _caller(callerSeed, account);
        if (viaMessenger) {
            try MESSENGER.relay(l2Sender, address(KS), data) {
                ok = true;
            } catch {}
        } else {
            vm.prank(caller);
            (ok,) = address(KS).call(data);
        }
    }

    function _protected(bytes32 key) internal view returns (bool) {
        return key == keys[4] || key == keys[5] || key == keys[6];
    }

    function _outcome(bool ok, bool expectOk) internal {
        if (ok != expectOk) ++unexpectedOutcomes;
        if (ok) ++applied;
        else ++rejected;
    }

    function _registerModel(uint256 i, uint256 updaterIndex) internal {
        address account = accounts[i];
        if (!registered[account]) {
            // setUp path: register for real (the action path already did)
            if (KS.loadKey(account, keys[4]) == 0) {
                bytes32[] memory k = new bytes32[](1);
                bytes32[] memory v = new bytes32[](1);
                k[0] = keys[0];
                v[0] = bytes32(uint256(1));
                KS.registerAccount(salts[i], WALLET_ID, k, v, "init", _updaters[updaterIndex]);
            }
        }
        registered[account] = true;
        modelKeys[account][keys[0]] = bytes32(uint256(1));
        modelKeys[account][keys[3]] = keccak256("init");
        modelKeys[account][keys[4]] = salts[i];
        modelKeys[account][keys[5]] = WALLET_ID;
        modelKeys[account][keys[6]] = bytes32(uint256(uint160(_updaters[updaterIndex])));
    }
}

contract L1KeystoreInvariantTest is Test {
    L1Keystore internal ks;
    MockCrossDomainMessenger internal messenger;
    L1KeystoreHandler internal handler;

    function setUp() public {
        messenger = new MockCrossDomainMessenger();
        ks = new L1Keystore(address(0xFAC7), address(messenger));
        ks.registerWallet(bytes32(uint256(7)), address(this));
        handler = new L1KeystoreHandler(ks, messenger);

        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = L1KeystoreHandler.registerAccount.selector;
        selectors[1] = L1KeystoreHandler.writeKey.selector;
        selectors[2] = L1KeystoreHandler.updateKey.selector;
        selectors[3] = L1KeystoreHandler.updateAccess.selector;
        selectors[4] = L1KeystoreHandler.bindAddress.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice Every call was applied exactly when the model allowed it: only the account or the
    ///         messenger relaying from its opted-in updater writes, and CAS misses never apply.
    function invariant_onlyAuthorizedWritesApply() public view {
        vm.assertEq(handler.unexpectedOutcomes(), 0, "outcome differs from the model");
    }

    /// @notice Storage equals the model for every account and key (reserved keys included).
    function invariant_keysMatchModel() public view {
        for (uint256 i; i < 6; ++i) {
            address account = handler.accountAt(i);
            for (uint256 j; j < 7; ++j) {
                bytes32 key = handler.keyAt(j);
                vm.assertEq(ks.loadKey(account, key), handler.modelKeys(account, key), "key differs from the model");
            }
            for (uint64 c; c < 3; ++c) {
                vm.assertEq(ks.boundAddress(account, c), handler.modelBindings(account, c), "binding differs");
            }
        }
    }

    /// @notice Salt and wallet id are exactly what registration wrote, or zero if unregistered.
    function invariant_saltAndWalletIdNeverChange() public view {
        for (uint256 i; i < 6; ++i) {
            address account = handler.accountAt(i);
            bool reg = handler.registered(account);
            vm.assertEq(ks.loadKey(account, ks.SALT_KEY()), reg ? handler.salts(i) : bytes32(0), "salt changed");
            vm.assertEq(
                ks.loadKey(account, ks.WALLET_ID_KEY()), reg ? bytes32(uint256(7)) : bytes32(0), "wallet id changed"
            );
            vm.assertEq(ks.computeAccountAddress(handler.salts(i)), account);
        }
    }
}
