// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IKeystoreChainL2Keystore} from "../interfaces/IKeystoreChainL2Keystore.sol";
import {IL1Keystore} from "../interfaces/IL1Keystore.sol";
import {IL1Block} from "../interfaces/IL1Block.sol";
import {ICrossDomainMessenger} from "../interfaces/ICrossDomainMessenger.sol";
import {KeystoreLayout} from "../libraries/KeystoreLayout.sol";
import {L1Sload} from "../libraries/L1Sload.sol";

/// @title KeystoreChainL2Keystore
/// @notice The L2Keystore of the keystore chain (chain 901; seed 003 "L2Keystore Contract", EVM
///         and non-EVM variants). Reads L1Keystore's storage with the L1SLOAD precompile (RIP-7728,
///         at the L2 block's L1 origin); writes by sending `writeKey` / `updateKey` / `updateAccess`
///         calls to L1Keystore through the OP L2CrossDomainMessenger, which L1Keystore accepts only
///         from the address an account stored as its L2 update address (`_checkWriter` there).
///         Interface, extensions and deviations from the seed: IKeystoreChainL2Keystore.
///         It holds no storage: everything it knows is read from L1 per call.
///
/// @dev THREAT MODEL
///      Who can make this contract send what. L1Keystore applies a message from this contract to
///        account A only while A's L2_UPDATE_ADDRESS_KEY is this contract (A opted in on L1), so
///        this contract is A's gatekeeper on L2: it sends a message for A only when `msg.sender` is
///        A or the address A bound for `block.chainid` in L1Keystore (left-padded to 32 bytes, read
///        with L1SLOAD). Anyone else gets L2KeystoreUnauthorized and no message is sent. There is no
///        owner, no upgrade and no other path to the messenger. An account that did not opt in is
///        refused here (L2KeystoreNotOptedIn) and would be refused on L1 anyway.
///      The pre-check is stale; L1 decides. L1SLOAD reads L1 at the L1 origin, which trails the L1
///        head, and the message reaches L1 only when its withdrawal is proven and finalized (after
///        an output root covering it and the finalization window). L1 can change in between (the
///        account writes on L1; another message lands). The checks here (caller, opt-in, key empty /
///        equal to oldValue) only avoid sending messages that would certainly fail; the
///        authoritative compare-and-swap and writer check run in L1Keystore when the message is
///        relayed. Authority is stale the same way: a binding or opt-in removed on L1 is seen here
///        only once the L1 origin passes the removal, and L1 does not re-check bindings, only the
///        update address. After a bound key is compromised, revoke access on L1
///        (`updateAccess(account, this, 0)` by the account): every message of this contract still
///        in flight then fails on L1, because L1 checks the update address at relay time.
///      Failed relays stay replayable. A message L1Keystore rejects (or that runs out of the gas
///        below) is recorded in L1CrossDomainMessenger's `failedMessages`; ANYONE may replay it at
///        any later time with any gas (`relayMessage` from any sender). It applies if L1Keystore
///        accepts it then: the update address is this contract again, and the key is zero
///        (writeKey) or holds oldValue (updateKey / updateAccess). Hence (a) a key that returns to
///        an earlier value re-arms failed updates that expected it (ABA; wallets that may reuse a
///        value should version it), and (b) re-granting access to this contract after a revocation
///        re-arms every failed message sent before it, including a thief's: after a compromise,
///        grant access to a new deployment, not back to this one. A relayed success can never be
///        replayed (`successfulMessages`).
///      Ordering. Withdrawals are proven and finalized independently, in any order, by anyone.
///        Compare-and-swap turns a reordering into a failed (replayable) message, never into an
///        overwrite of a newer value. Consequently a second change of the same key from L2 is
///        pre-checked against L1 as of the origin: chain it only after the first is final on L1.
///      Replay across chains. On L1 the message's `xDomainMessageSender()` is this contract's
///        address, as relayed by the keystore rollup's L1CrossDomainMessenger, which relays only
///        withdrawals proven against the keystore rollup's output roots. L1Keystore trusts exactly
///        that messenger (its MESSENGER) and, per account, exactly the address stored as the
///        account's L2 update address. A contract at the same address on another chain sends
///        through another messenger that L1Keystore does not trust; a message is unique by the
///        messenger's nonce (its hash is what `successfulMessages` records).
///      The chain's own honesty. L1SLOAD values are served by the sequencer's node (verified there
///        against the L1 origin's state root, replayable by verifiers from the batch). A state
///        transition that lies about them (or about anything) can only stand if its output root
///        goes unchallenged; then it can forge messages for opted-in accounts. Opting in is trusting
///        the keystore chain's state transition, which is why L1Keystore limits the damage to those
///        accounts and never lets a message touch the salt or the wallet id.
///      L2 reorgs. A message exists for L1 only once an output root covering it is finalized;
///        clients treat a key change as done when the withdrawal is finalized, not on the L2
///        receipt.
contract KeystoreChainL2Keystore is IKeystoreChainL2Keystore {
    /// @notice L1Keystore's reserved keys (KeystoreLayout).
    bytes32 public constant SALT_KEY = KeystoreLayout.SALT_KEY;
    bytes32 public constant WALLET_ID_KEY = KeystoreLayout.WALLET_ID_KEY;
    bytes32 public constant INITDATA_HASH_KEY = KeystoreLayout.INITDATA_HASH_KEY;
    bytes32 public constant L2_UPDATE_ADDRESS_KEY = KeystoreLayout.L2_UPDATE_ADDRESS_KEY;

    /// @notice The OP L2CrossDomainMessenger predeploy, MESSENGER's default.
    address public constant L2_CROSS_DOMAIN_MESSENGER = 0x4200000000000000000000000000000000000007;
    /// @inheritdoc IKeystoreChainL2Keystore
    address public constant L1_BLOCK = 0x4200000000000000000000000000000000000015;

    /// @inheritdoc IKeystoreChainL2Keystore
    /// @dev The gas L1CrossDomainMessenger guarantees the L1Keystore call at least (`_minGasLimit`;
    ///      the withdrawal's own gas limit is the messenger's `baseGas`, about 287,000 + 64/63 of it).
    ///      Sized from L1Keystore as measured by KeystoreChainL1GasLimitTest (the least gas each call
    ///      succeeds with when the messenger calls it, every L1Keystore slot cold, recorded in
    ///      snapshots/KeystoreChainL1GasLimitTest.json):
    ///        writeKey                      30,344  (fresh slot 22,100 incl. its cold read; salt and
    ///                                               update-address reads 2 x 2,100; the messenger's
    ///                                               xDomainMessageSender; KeyChanged)
    ///        updateKey, old value zero     30,366  (the same fresh slot: its worst case)
    ///        updateKey, old value set      13,266
    ///        updateAccess                  13,000  (never a fresh slot: the old address is set)
    ///      The limits are about three times the worst case: an L1 repricing of storage (cold reads,
    ///      new slots) must not make every keystore message fail, and oversizing is cheap (the
    ///      relayer's L1 transaction must carry the gas but pays only for what is used; nothing is
    ///      charged on L2). Too little is not fatal either: the messenger records the message as
    ///      failed instead of running it short, and anyone can replay it with more gas.
    ///      The test fails if a limit drops below three times its measurement.
    uint32 public constant WRITE_KEY_GAS_LIMIT = 100_000;
    /// @inheritdoc IKeystoreChainL2Keystore
    /// @dev See WRITE_KEY_GAS_LIMIT: 3.3 x the 30,366 of an update from zero.
    uint32 public constant UPDATE_KEY_GAS_LIMIT = 100_000;
    /// @inheritdoc IKeystoreChainL2Keystore
    /// @dev See WRITE_KEY_GAS_LIMIT: 3.8 x the 13,000 measured.
    uint32 public constant UPDATE_ACCESS_GAS_LIMIT = 50_000;

    /// @inheritdoc IKeystoreChainL2Keystore
    address public immutable L1_KEYSTORE;
    /// @inheritdoc IKeystoreChainL2Keystore
    address public immutable MESSENGER;

    /// @param l1Keystore L1Keystore's address on L1 (non-zero).
    /// @param messenger  The L2CrossDomainMessenger; zero for the predeploy 0x4200…0007.
    constructor(address l1Keystore, address messenger) {
        if (l1Keystore == address(0)) revert L2KeystoreZeroAddress();
        L1_KEYSTORE = l1Keystore;
        MESSENGER = messenger == address(0) ? L2_CROSS_DOMAIN_MESSENGER : messenger;
    }

    // ================================================================ reads

    /// @inheritdoc IKeystoreChainL2Keystore
    function registerAccount(bytes32, bytes32, bytes32[] calldata, bytes32[] calldata, bytes calldata, address)
        external
        pure
        returns (address)
    {
        revert L2KeystoreUnsupported();
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function loadKey(address account, bytes32 key) external view returns (bytes32) {
        return L1Sload.load(L1_KEYSTORE, KeystoreLayout.keySlot(account, key));
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    /// @dev The node answers L1SLOAD at the L1 origin that the block's L1-attributes transaction
    ///      wrote into L1Block (and L1Blocks), so `number()` is the block the value is from.
    function loadKeyWithBlock(address account, bytes32 key)
        external
        view
        returns (bytes32 value, uint256 l1BlockNumber)
    {
        value = L1Sload.load(L1_KEYSTORE, KeystoreLayout.keySlot(account, key));
        l1BlockNumber = IL1Block(L1_BLOCK).number();
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    /// @dev 1 to 5 keys (L1Sload.L1SloadInvalidKeyCount otherwise).
    function loadKeys(address account, bytes32[] calldata keys) external view returns (bytes32[] memory) {
        bytes32[] memory slots = new bytes32[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            slots[i] = KeystoreLayout.keySlot(account, keys[i]);
        }
        return L1Sload.load(L1_KEYSTORE, slots);
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    /// @dev Two dependent L1SLOADs (the wallet id, then its registry slot for this chain id).
    function getWalletImplementation(address account) external view returns (address implementation) {
        bytes32 walletId = L1Sload.load(L1_KEYSTORE, KeystoreLayout.keySlot(account, WALLET_ID_KEY));
        if (walletId != 0) {
            bytes32 impl = L1Sload.load(L1_KEYSTORE, KeystoreLayout.implementationSlot(walletId, _chainId()));
            implementation = address(uint160(uint256(impl)));
        }
        if (implementation == address(0)) revert L2KeystoreImplementationNotRegistered(walletId, block.chainid);
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function boundAddress(address account, uint64 chainId) external view returns (bytes32) {
        return L1Sload.load(L1_KEYSTORE, KeystoreLayout.bindingSlot(account, chainId));
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function keySlot(address account, bytes32 key) external pure returns (bytes32) {
        return KeystoreLayout.keySlot(account, key);
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function bindingSlot(address account, uint64 chainId) external pure returns (bytes32) {
        return KeystoreLayout.bindingSlot(account, chainId);
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function walletImplementationSlot(bytes32 walletId, uint64 chainId) external pure returns (bytes32) {
        return KeystoreLayout.implementationSlot(walletId, chainId);
    }

    // ================================================================ writes

    /// @inheritdoc IKeystoreChainL2Keystore
    function writeKey(address account, bytes32 key, bytes32 value) external {
        if (_isProtected(key)) revert L2KeystoreReservedKey(key);
        if (value == 0) revert L2KeystoreZeroValue(account, key);
        bytes32 current = _authorizedRead(account, key);
        if (current != 0) revert L2KeystoreKeyNotEmpty(account, key, current);
        _send(abi.encodeCall(IL1Keystore.writeKey, (account, key, value)), WRITE_KEY_GAS_LIMIT);
        emit WriteKey(account, key, value);
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function updateKey(address account, bytes32 key, bytes32 oldValue, bytes32 newValue) external {
        if (_isProtected(key)) revert L2KeystoreReservedKey(key);
        bytes32 current = _authorizedRead(account, key);
        if (current != oldValue) revert L2KeystoreValueMismatch(account, key, oldValue, current);
        _send(abi.encodeCall(IL1Keystore.updateKey, (account, key, oldValue, newValue)), UPDATE_KEY_GAS_LIMIT);
        emit UpdateKey(account, key, oldValue, newValue);
    }

    /// @inheritdoc IKeystoreChainL2Keystore
    function updateAccess(address account, address oldUpdateContract, address newUpdateContract) external {
        // Opted in means the current update address is this contract, so that is the only old
        // value L1 can accept from this contract.
        _authorizedRead(account, L2_UPDATE_ADDRESS_KEY);
        if (oldUpdateContract != address(this)) {
            revert L2KeystoreValueMismatch(
                account, L2_UPDATE_ADDRESS_KEY, _word(oldUpdateContract), _word(address(this))
            );
        }
        _send(
            abi.encodeCall(IL1Keystore.updateAccess, (account, oldUpdateContract, newUpdateContract)),
            UPDATE_ACCESS_GAS_LIMIT
        );
        emit UpdateAccess(account, oldUpdateContract, newUpdateContract);
    }

    // ================================================================ internals

    /// @dev canWrite (seed 003, non-EVM variant) and the opt-in check, with `key`'s current value,
    ///      all from one L1SLOAD of up to three slots: the account's L2 update address, `key`
    ///      (unless it is the update address itself), and the caller's binding for this chain
    ///      (only when the caller is not the account).
    function _authorizedRead(address account, bytes32 key) private view returns (bytes32 current) {
        bool byAccount = msg.sender == account;
        bool readKey = key != L2_UPDATE_ADDRESS_KEY;
        bytes32[] memory slots = new bytes32[](1 + (readKey ? 1 : 0) + (byAccount ? 0 : 1));
        slots[0] = KeystoreLayout.keySlot(account, L2_UPDATE_ADDRESS_KEY);
        if (readKey) slots[1] = KeystoreLayout.keySlot(account, key);
        if (!byAccount) slots[slots.length - 1] = KeystoreLayout.bindingSlot(account, _chainId());
        bytes32[] memory values = L1Sload.load(L1_KEYSTORE, slots);

        if (!byAccount && values[slots.length - 1] != _word(msg.sender)) {
            revert L2KeystoreUnauthorized(account, msg.sender);
        }
        bytes32 updater = values[0];
        // The low 160 bits, for the error (L1Keystore stores the address left-padded).
        if (updater != _word(address(this))) revert L2KeystoreNotOptedIn(account, address(uint160(uint256(updater))));
        current = readKey ? values[1] : updater;
    }

    /// @dev Sends `message` to L1Keystore through the messenger, no value.
    function _send(bytes memory message, uint32 minGasLimit) private {
        ICrossDomainMessenger(MESSENGER).sendMessage(L1_KEYSTORE, message, minGasLimit);
    }

    /// @dev Keys writeKey/updateKey may not touch, as in L1Keystore: salt and wallet id
    ///      (immutable) and the L2 update address (only through updateAccess).
    function _isProtected(bytes32 key) private pure returns (bool) {
        return key == SALT_KEY || key == WALLET_ID_KEY || key == L2_UPDATE_ADDRESS_KEY;
    }

    /// @dev An address as L1Keystore stores it in a bytes32 (left-padded).
    function _word(address a) private pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    /// @dev This chain's id as L1Keystore's registry and bindings key it (uint64; 901 fits).
    function _chainId() private view returns (uint64) {
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(block.chainid);
    }
}
